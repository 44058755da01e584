"""/api/job_statuses/{id}: the progress and outcome of a background job (kit/jobs.py)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from opensales.kit import jobs
from opensales.kit.coerce import path_id
from opensales.kit.http import json_response, principal
from opensales.kit.openapi import responses
from opensales.kit.routes import database

router = APIRouter(tags=["Job Status"])


class RecordStatus(BaseModel):
    succeeded: int
    failed: int


class JobData(BaseModel):
    record_status: RecordStatus
    # Each entry names the item by its unique identifier, plus "error_message": [...].
    detailed_failure_report: list[dict[str, Any]]


class JobStatusOut(BaseModel):
    status: Literal["IN_PROGRESS", "SUCCESS", "FAILED"]
    job_type_name: str
    created_at: str
    status_updated_at: str
    progress: int
    data: JobData


@router.get(
    "/job_statuses/{job_id}",
    summary="Progress and details of a background job",
    responses=responses(JobStatusOut),
)
async def get_job_status(request: Request, job_id: str) -> Response:
    """Status (IN_PROGRESS, SUCCESS, FAILED), progress 0-100 and the failure report."""
    out = await jobs.status(database(request), principal(request), path_id(job_id))
    return json_response(out)
