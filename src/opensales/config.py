"""Settings from OPENSALES_* environment variables, each with a working default."""

from functools import lru_cache
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPENSALES_")

    data_dir: Path = Path("./data")
    database_url: str = ""
    rate_limit_per_hour: int = 1000
    # How often a process publishes its request counts to the shared table.
    rate_limit_flush_seconds: float = 1.0
    # How long a resolved API key is trusted before it is looked up again.
    auth_cache_seconds: float = 2.0
    # Run background jobs (bulk upserts, list moves) in the server process; "off" leaves
    # them to `opensales worker` processes.
    worker: bool = True
    # How often an idle worker looks for jobs queued by other processes (its own process
    # wakes it at once).
    worker_poll_seconds: float = 1.0
    # A job whose worker has not advanced it for this long is taken over by another.
    job_lease_seconds: float = 30.0
    # Where uploaded files go: "" for the folder `<data dir>/files`, `file:///folder` for
    # another folder, or `s3://bucket[/prefix]` for any S3-compatible store (endpoint,
    # region and credentials from the standard AWS_* environment variables; needs the
    # `s3` extra).
    storage_url: str = ""
    # The largest file an upload may carry (25 MB); a larger one is refused with a 413.
    max_upload_bytes: int = 25 * 1024 * 1024
    # How long a signed download URL stays valid.
    download_url_seconds: int = 3600
    # The test double's control API under /_opensales/ (reset, snapshots, clock, faults; see
    # docs/testing.md). Never on in production: it lets anyone wipe the database.
    test_mode: bool = False
    # The web app's cookies are Secure: browsers send them over HTTPS and to localhost /
    # 127.0.0.1 only. Turn off (OPENSALES_SECURE_COOKIES=0) only to serve the web app over
    # plain HTTP to other machines, on a network you trust.
    secure_cookies: bool = True

    @field_validator("storage_url")
    @classmethod
    def _storage_url(cls, value: str) -> str:
        value = value.strip()
        bucket = value.removeprefix("s3://").strip("/")
        if value and not (value.startswith("file:///") or (value.startswith("s3://") and bucket)):
            raise ValueError("must be s3://bucket[/prefix] or file:///folder")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'opensales.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
