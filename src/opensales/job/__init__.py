"""Background job status: /api/job_statuses."""
