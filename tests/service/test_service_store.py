"""The store on SQLite and (in CI) PostgreSQL: articles, the brief cache, jobs, API keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from briefing.config import Settings
from briefing.errors import NotFoundError, StoreError
from briefing.models import Article, Brief, BriefMeta
from briefing.store import Store, open_store


def _brief(headline: str, engine: str = "test", model: str | None = "m", prompt: str | None = "p1") -> Brief:
    return Brief(
        headline=headline, summary="s", meta=BriefMeta(engine=engine, model=model, prompt_version=prompt)
    )


def test_open_store_creates_data_dir_wal_and_tables(settings: Settings) -> None:
    store = open_store(settings)
    try:
        assert (settings.data_dir / "briefing.db").exists()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        tables = set(inspect(store.engine).get_table_names())
        assert {"articles", "briefs", "jobs", "api_keys", "alembic_version"} <= tables
    finally:
        store.close()
    reopened = open_store(settings)  # migrating an up-to-date database is a no-op
    reopened.close()


def test_unreachable_database_is_a_store_error(settings: Settings) -> None:
    bad = settings.model_copy(update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store(bad)


def test_save_article_is_idempotent_by_content_hash(store: Store) -> None:
    first, created = store.save_article(Article(text="Line one.\r\nLine two.  ", title="T"))
    again, created_again = store.save_article(Article(text="Line one.\nLine two.", title="Other"))
    assert created and not created_again
    assert again.id == first.id and again.title == "T"
    assert store.get_article(first.id) == first
    assert store.get_article("missing") is None


def test_list_articles_filters_on_published_or_ingested_time(store: Store) -> None:
    old = Article(text="Old news.", source="a", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    new = Article(text="New news.", source="b", published_at=datetime(2024, 6, 1, 12, tzinfo=UTC))
    undated = Article(text="Undated news.", source="a")  # falls back to ingest time (now)
    for article in (old, new, undated):
        store.save_article(article)
    ids = [a.id for a in store.list_articles()]
    assert ids == [undated.id, new.id, old.id]
    since = [a.id for a in store.list_articles(since=datetime(2024, 1, 1, tzinfo=UTC))]
    assert since == [undated.id, new.id]
    window = store.list_articles(
        since=datetime(2024, 1, 1, tzinfo=UTC), until=datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert [a.id for a in window] == [new.id]
    assert [a.id for a in store.list_articles(source="a")] == [undated.id, old.id]
    assert [a.id for a in store.list_articles(limit=1, offset=1)] == [new.id]
    assert store.list_articles()[1].published_at == datetime(2024, 6, 1, 12, tzinfo=UTC)


def test_brief_cache_round_trip_and_upsert_keeps_id(store: Store) -> None:
    article = Article(text="Something happened today.", source="wire")
    stored = store.put_brief(article=article, brief=_brief("first"))
    assert stored.id and stored.article_id == article.id
    assert store.get_article(article.id) is not None  # put_brief stores the article too
    again = store.put_brief(article=article, brief=_brief("second"))
    assert again.id == stored.id
    hit = store.get_brief(article_id=article.id, engine="test", model="m", prompt_version="p1")
    assert hit is not None and hit.headline == "second" and hit.id == stored.id
    assert store.get_brief(article_id=article.id, engine="test", model="other", prompt_version="p1") is None
    none_key = store.put_brief(article=article, brief=_brief("no model", model=None, prompt=None))
    assert none_key.id != stored.id
    assert store.get_brief(article_id=article.id, engine="test", model=None, prompt_version=None) is not None
    by_id = store.get_brief_by_id(stored.id)
    assert by_id is not None and by_id.headline == "second"
    assert store.get_brief_by_id("nope") is None


def test_list_briefs_by_source_and_time(store: Store) -> None:
    a = store.put_brief(article=Article(text="A text.", source="x"), brief=_brief("a"))
    b = store.put_brief(article=Article(text="B text.", source="y"), brief=_brief("b"))
    assert [x.id for x in store.list_briefs()] == [b.id, a.id]
    assert [x.id for x in store.list_briefs(source="x")] == [a.id]
    assert store.list_briefs(since=datetime.now(UTC) + timedelta(hours=1)) == []
    assert [x.id for x in store.list_briefs(limit=1, offset=1)] == [a.id]


def test_job_lifecycle_claim_finish_fail_retry(store: Store) -> None:
    article = Article(text="Job article.")
    job = store.submit_job("brief", {"article_id": article.id}, article=article)
    assert job.status == "queued" and store.get_article(article.id) is not None
    assert store.count_active_jobs() == 1
    claimed = store.claim_job(lease_seconds=30)
    assert claimed is not None and claimed.id == job.id and claimed.status == "running"
    assert claimed.attempts == 1
    assert store.claim_job(lease_seconds=30) is None  # nothing else queued
    store.fail_job(job.id, error={"type": "LLMError", "message": "boom"})
    failed = store.get_job(job.id)
    assert failed is not None and failed.status == "failed" and failed.error["message"] == "boom"
    assert store.count_active_jobs() == 0
    retried = store.retry_job(job.id)
    assert retried.status == "queued" and retried.error is None
    again = store.claim_job(lease_seconds=30)
    assert again is not None and again.id == job.id
    store.finish_job(job.id, result_id="b1", result={"headline": "h"})
    done = store.get_job(job.id)
    assert done is not None and done.status == "succeeded" and done.result_id == "b1"
    assert store.retry_job(job.id).status == "succeeded"  # only failed jobs go back
    with pytest.raises(NotFoundError):
        store.retry_job("missing")


def test_jobs_are_claimed_oldest_first_and_once(store: Store) -> None:
    ids = [store.submit_job("brief", {"n": n}).id for n in range(3)]
    claimed = [store.claim_job(lease_seconds=30) for _ in range(4)]
    assert [j.id if j else None for j in claimed] == [*ids, None]


def test_expired_leases_are_requeued_then_failed_after_max_attempts(store: Store) -> None:
    job = store.submit_job("brief", {})
    store.claim_job(lease_seconds=30)
    assert store.requeue_expired(max_attempts=2) == 0  # lease still valid
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert store.requeue_expired(max_attempts=2, now=later) == 1
    assert store.get_job(job.id).status == "queued"
    store.claim_job(lease_seconds=30)  # second attempt
    assert store.requeue_expired(max_attempts=2, now=later) == 0
    abandoned = store.get_job(job.id)
    assert abandoned.status == "failed" and abandoned.error["type"] == "JobAbandoned"


def test_api_keys_are_hashed_listed_and_revoked(store: Store) -> None:
    assert not store.has_active_api_keys() and not store.has_api_keys()
    key, info = store.create_api_key("ci")
    assert key.startswith("brf_") and info.prefix == key[:10]
    with store.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT key_hash FROM api_keys").scalar()
    assert key not in stored and len(stored) == 64
    assert store.check_api_key(key) and not store.check_api_key(key + "x")
    assert store.has_active_api_keys()
    assert [k.name for k in store.list_api_keys()] == ["ci"]
    revoked = store.revoke_api_key(info.id)
    assert revoked.revoked_at is not None
    assert not store.check_api_key(key) and not store.has_active_api_keys()
    assert store.has_api_keys()
    with pytest.raises(NotFoundError):
        store.revoke_api_key("nope")


# --- survivors of the full mutation run (`make mutation`) ---------------------------------------


def _lease_until(store: Store, job_id: str) -> datetime | None:
    from briefing.store.tables import JobRow

    with store.session() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return row.lease_until


def test_queue_full_error_carries_its_message_and_a_retry_delay() -> None:
    from briefing.store import QueueFullError

    error = QueueFullError("the queue is full")
    assert str(error) == "the queue is full" and error.retry_after == 5
    assert QueueFullError("x", retry_after=9).retry_after == 9


def test_a_lost_claim_names_the_job_and_its_attempt(store: Store) -> None:
    from briefing.store import ClaimLostError

    job = store.submit_job("brief", {})
    first = store.claim_job(lease_seconds=30)
    assert first is not None
    store.requeue_expired(max_attempts=5, now=datetime.now(UTC) + timedelta(minutes=5))
    assert store.claim_job(lease_seconds=30) is not None
    with pytest.raises(ClaimLostError, match=rf"^job {job.id}: attempt 1 was taken over by another worker"):
        store.finish_job(job.id, result_id=None, result=None, claim=first)


def test_an_unfenced_lease_extension_pushes_the_lease_into_the_future(store: Store) -> None:
    job = store.submit_job("brief", {})
    store.claim_job(lease_seconds=1)
    assert store.extend_lease(job.id, lease_seconds=600) is True
    assert store.requeue_expired(max_attempts=5, now=datetime.now(UTC) + timedelta(seconds=60)) == 0


def test_a_current_claim_fails_only_its_own_job_and_records_when(store: Store) -> None:
    mine = store.submit_job("brief", {"n": 1})
    other = store.submit_job("brief", {"n": 2})
    claim = store.claim_job(lease_seconds=30)
    other_claim = store.claim_job(lease_seconds=30)
    assert claim is not None and claim.id == mine.id and other_claim is not None
    store.fail_job(mine.id, error={"type": "LLMError", "message": "boom"}, claim=claim)
    failed = store.get_job(mine.id)
    assert failed is not None and failed.status == "failed" and failed.finished_at is not None
    assert failed.updated_at > claim.updated_at
    assert _lease_until(store, mine.id) is None
    untouched = store.get_job(other.id)
    assert untouched is not None and untouched.status == "running" and untouched.error is None


def test_a_lease_that_ends_exactly_now_is_not_expired_yet(store: Store) -> None:
    job = store.submit_job("brief", {})
    store.claim_job(lease_seconds=30)
    lease = _lease_until(store, job.id)
    assert lease is not None
    at = lease if lease.tzinfo else lease.replace(tzinfo=UTC)
    assert store.requeue_expired(max_attempts=5, now=at) == 0
    assert store.requeue_expired(max_attempts=5, now=at + timedelta(seconds=1)) == 1


def test_an_abandoned_job_is_finished_and_holds_no_lease(store: Store) -> None:
    job = store.submit_job("brief", {})
    store.claim_job(lease_seconds=30)
    assert store.requeue_expired(max_attempts=1, now=datetime.now(UTC) + timedelta(minutes=5)) == 0
    abandoned = store.get_job(job.id)
    assert abandoned is not None and abandoned.status == "failed" and abandoned.finished_at is not None
    assert abandoned.error == {"type": "JobAbandoned", "message": "worker stopped 1 times"}
    assert _lease_until(store, job.id) is None


def test_retry_resets_attempts_and_finish_time_of_that_job_only(store: Store) -> None:
    jobs = [store.submit_job("brief", {"n": n}) for n in range(2)]
    for job in jobs:
        claimed = store.claim_job(lease_seconds=30)
        assert claimed is not None and claimed.id == job.id
        store.fail_job(job.id, error={"type": "X", "message": "boom"})
    failed = store.get_job(jobs[0].id)
    assert failed is not None and failed.attempts == 1 and failed.finished_at is not None
    retried = store.retry_job(jobs[0].id)
    assert retried.status == "queued" and retried.attempts == 0 and retried.finished_at is None
    assert retried.updated_at > failed.updated_at
    still_failed = store.get_job(jobs[1].id)
    assert still_failed is not None and still_failed.status == "failed"
    with pytest.raises(NotFoundError, match=r"^no job with id 'missing'$"):
        store.retry_job("missing")


def test_retry_with_a_task_defers_it_in_the_retry_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import Connection

    deferred: list[tuple[object, str, dict, str]] = []

    def defer_task(connection: Connection, task: str, args: dict, *, queue: str) -> None:
        deferred.append((connection, task, args, queue))

    job = store.submit_job("brief", {})
    store.claim_job(lease_seconds=30)
    store.fail_job(job.id, error={"type": "X", "message": "boom"})
    monkeypatch.setattr(store, "defer_task", defer_task)
    store.retry_job(job.id, task=("run_job", "jobs"))
    assert len(deferred) == 1
    connection, task, args, queue = deferred[0]
    assert isinstance(connection, Connection)
    assert (task, args, queue) == ("run_job", {"job_id": job.id}, "jobs")


def test_a_job_submitted_with_a_lease_is_stored_already_claimed(store: Store) -> None:
    job = store.submit_job("brief", {}, run_lease_seconds=30)
    assert job.status == "running" and job.attempts == 1
    stored = store.get_job(job.id)
    assert stored is not None and stored.status == "running" and stored.attempts == 1
    assert _lease_until(store, job.id) is not None
    assert store.claim_job(lease_seconds=30) is None  # nothing queued: the submitter runs it
    assert store.get_job("missing") is None


def test_requeue_touches_only_expired_running_jobs_and_clears_their_lease(store: Store) -> None:
    done = store.submit_job("brief", {"n": 1})
    store.claim_job(lease_seconds=30)
    store.finish_job(done.id, result_id="b1", result=None)
    crashed = store.submit_job("brief", {"n": 2})
    claimed = store.claim_job(lease_seconds=30)
    assert claimed is not None and claimed.id == crashed.id
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert store.requeue_expired(max_attempts=5, now=later) == 1
    requeued = store.get_job(crashed.id)
    assert requeued is not None and requeued.status == "queued" and requeued.updated_at > claimed.updated_at
    assert _lease_until(store, crashed.id) is None
    # the finished job has used 1 attempt of 1, but it is not running: it stays succeeded
    again = store.claim_job(lease_seconds=30)
    assert again is not None and again.id == crashed.id
    assert store.requeue_expired(max_attempts=1, now=later) == 0
    finished = store.get_job(done.id)
    assert finished is not None and finished.status == "succeeded"
    abandoned = store.get_job(crashed.id)
    assert abandoned is not None and abandoned.status == "failed" and abandoned.updated_at > again.updated_at


def test_submitted_jobs_record_their_times_and_a_lease_only_when_claimed(store: Store) -> None:
    queued = store.submit_job("brief", {})
    assert queued.created_at == queued.updated_at and queued.started_at is None
    stored = store.get_job(queued.id)
    assert stored is not None and stored.started_at is None and stored.attempts == 0
    assert stored.created_at.replace(tzinfo=None) == queued.created_at.replace(tzinfo=None)
    running = store.submit_job("brief", {}, run_lease_seconds=30)
    assert running.started_at == running.created_at == running.updated_at
    assert store.requeue_expired(max_attempts=5, now=datetime.now(UTC)) == 0  # the lease runs ahead
    assert store.requeue_expired(max_attempts=5, now=datetime.now(UTC) + timedelta(seconds=60)) == 1


def test_submit_refuses_work_over_the_limit_and_keeps_nothing_of_it(store: Store) -> None:
    from briefing.store import QueueFullError

    store.submit_job("brief", {"n": 1}, limit=1)  # 1 active job is within a limit of 1
    with pytest.raises(
        QueueFullError, match=r"^the server has 1 jobs queued or running; retry shortly$"
    ) as refused:
        store.submit_job("brief", {"n": 2}, limit=1)
    assert refused.value.retry_after == 5
    assert store.count_active_jobs() == 1


def test_submit_with_a_task_defers_it_in_the_insert_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import Connection

    deferred: list[tuple[object, str, dict, str]] = []

    def defer_task(connection: Connection, task: str, args: dict, *, queue: str) -> None:
        deferred.append((connection, task, args, queue))

    monkeypatch.setattr(store, "defer_task", defer_task)
    job = store.submit_job("brief", {}, task=("run_job", "jobs"))
    assert len(deferred) == 1
    connection, task, args, queue = deferred[0]
    assert isinstance(connection, Connection)
    assert (task, args, queue) == ("run_job", {"job_id": job.id}, "jobs")


def test_claim_takes_the_oldest_queued_job_of_the_wanted_kinds(store: Store) -> None:
    from sqlalchemy import update

    from briefing.store.tables import JobRow

    brief = store.submit_job("brief", {})
    digests = [store.submit_job("digest", {"n": n}) for n in range(2)]
    with store.session() as session:  # the last submitted job is made the oldest
        session.execute(
            update(JobRow)
            .where(JobRow.id == digests[1].id)
            .values(created_at=datetime(2020, 1, 1, tzinfo=UTC))
        )
    first = store.claim_job(lease_seconds=30, kinds=("digest",))
    assert first is not None and first.id == digests[1].id
    second = store.claim_job(lease_seconds=30, kinds=("digest",))
    assert second is not None and second.id == digests[0].id
    assert store.claim_job(lease_seconds=30, kinds=("digest",)) is None
    last = store.claim_job(lease_seconds=30)
    assert last is not None and last.id == brief.id


def test_a_claim_fence_fails_no_other_job_even_one_claimed_at_the_same_instant(store: Store) -> None:
    """Two jobs claimed in the same microsecond (two workers) share attempts and start time: the
    fence must still name the job, or failing one would fail the other."""
    from sqlalchemy import update

    from briefing.store.tables import JobRow

    mine, other = store.submit_job("brief", {"n": 1}), store.submit_job("brief", {"n": 2})
    claim = store.claim_job(lease_seconds=30)
    assert claim is not None and claim.id == mine.id and store.claim_job(lease_seconds=30) is not None
    with store.session() as session:
        session.execute(update(JobRow).where(JobRow.id == other.id).values(started_at=claim.started_at))
    store.fail_job(mine.id, error={"type": "LLMError", "message": "boom"}, claim=claim)
    assert store.get_job(mine.id).status == "failed"  # type: ignore[union-attr]
    assert store.get_job(other.id).status == "running"  # type: ignore[union-attr]


def test_a_claimer_skips_a_job_another_worker_is_claiming(store: Store) -> None:
    """PostgreSQL: a job row locked by another worker's claim is skipped, not waited for (so N
    workers never queue up behind one row, and none comes back empty-handed while work waits)."""
    import threading

    from sqlalchemy import text

    if store.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    first, second = store.submit_job("brief", {"n": 1}), store.submit_job("brief", {"n": 2})
    got: list[object] = []
    with store.engine.connect() as other:  # another worker, mid-claim: it holds the oldest row
        other.execute(text("SELECT id FROM jobs WHERE id = :id FOR UPDATE"), {"id": first.id})
        claimer = threading.Thread(target=lambda: got.append(store.claim_job(lease_seconds=30)))
        claimer.start()
        claimer.join(10)
        blocked = claimer.is_alive()
        other.rollback()
    claimer.join(10)
    assert not blocked, "the claim waited for the locked row instead of skipping it"
    assert len(got) == 1 and getattr(got[0], "id", None) == second.id


def test_a_claimer_that_loses_the_race_for_a_job_gets_none_not_the_same_job(
    store: Store, store_settings: Settings
) -> None:
    """Another process claims the job between this claimer's read and its write: the write finds
    the job no longer queued, so the job runs once (on PostgreSQL the read's row lock makes the
    other process skip to the next job instead)."""
    from sqlalchemy import event

    job = store.submit_job("brief", {})
    other = open_store(store_settings)
    raced: list[object] = []

    def race(connection, cursor, statement: str, *args: object) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE JOBS") and not raced:
            raced.append(other.claim_job(lease_seconds=30))

    event.listen(store.engine, "before_cursor_execute", race)
    try:
        mine = store.claim_job(lease_seconds=30)
    finally:
        event.remove(store.engine, "before_cursor_execute", race)
        other.close()
    winner = raced[0]
    if store.engine.dialect.name == "postgresql":
        assert winner is None and mine is not None and mine.id == job.id  # the locked row was skipped
    else:
        assert mine is None and winner is not None and getattr(winner, "id", None) == job.id
    assert store.get_job(job.id).attempts == 1  # type: ignore[union-attr]


# --- tasks of the embedded queue: locks, held-back retries ------------------------------------


def test_a_task_is_queued_once_per_lock_while_queued_or_running_and_again_once_done(store: Store) -> None:
    first = store.defer_job("feed", {"feed_id": 1}, queue="digests", lock="feed:1")
    assert first is not None
    assert (first.queue, first.lock_key, first.status) == ("digests", "feed:1", "queued")
    assert (first.kind, first.attempts, first.run_after, first.error) == ("feed", 0, None, None)
    assert first.created_at == first.updated_at and first.created_at.tzinfo is not None
    stored = store.get_job(first.id)
    assert stored is not None and stored.model_dump() == first.model_dump()  # as returned, so as stored
    assert store.defer_job("feed", {"feed_id": 1}, queue="digests", lock="feed:1") is None  # queued
    other = store.defer_job("feed", {"feed_id": 2}, queue="digests", lock="feed:2")
    assert other is not None
    claim = store.claim_job(lease_seconds=30, kinds=("feed",))
    assert claim is not None and claim.id == first.id and claim.payload == {"feed_id": 1}
    assert store.defer_job("feed", {"feed_id": 1}, queue="digests", lock="feed:1") is None  # running
    store.finish_job(first.id, result_id=None, result=None, claim=claim)
    again = store.defer_job("feed", {"feed_id": 1}, queue="digests", lock="feed:1")
    assert again is not None and again.id != first.id  # done: the lock is free again
    failing = store.claim_job(lease_seconds=30, kinds=("feed",))
    assert failing is not None and failing.id == other.id
    store.fail_job(other.id, error={"type": "X", "message": "x"}, claim=failing)
    assert store.defer_job("feed", {"feed_id": 2}, queue="digests", lock="feed:2") is not None  # failed
    assert store.defer_job("free", {}, queue="digests") is not None  # no lock: never refused
    assert store.defer_job("free", {}, queue="digests") is not None


def test_a_held_back_task_is_claimed_only_from_its_time(store: Store) -> None:
    import time_machine

    at = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        later = store.defer_job(
            "deliver", {}, queue="digests", lock="d:1", run_after=at + timedelta(microseconds=1)
        )
        assert later is not None
        assert store.claim_job(lease_seconds=30) is None  # not yet
        now = store.defer_job("deliver", {}, queue="digests", lock="d:2", run_after=at)
        assert now is not None
        claimed = store.claim_job(lease_seconds=30)
        assert claimed is not None and claimed.id == now.id  # its time has come (exactly now)
        assert store.claim_job(lease_seconds=30) is None
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        claimed = store.claim_job(lease_seconds=30)
        assert claimed is not None and claimed.id == later.id


def test_a_retry_later_gives_the_job_back_held_back_and_locked_and_is_fenced(store: Store) -> None:
    import time_machine

    from briefing.store import ClaimLostError

    at = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        job = store.defer_job("deliver", {"delivery_id": 7}, queue="digests", lock="delivery:7")
        assert job is not None
        claim = store.claim_job(lease_seconds=30)
        assert claim is not None and claim.attempts == 1
    with time_machine.travel(at + timedelta(seconds=5), tick=False):
        store.retry_job_later(claim, run_after=at + timedelta(seconds=60))
        held = store.get_job(job.id)
        assert held is not None and (held.status, held.run_after) == ("queued", at + timedelta(seconds=60))
        assert held.updated_at == at + timedelta(seconds=5) and held.attempts == 1
        assert _lease_until(store, job.id) is None
        assert store.claim_job(lease_seconds=30) is None  # held back
        assert store.defer_job("deliver", {}, queue="digests", lock="delivery:7") is None  # still locked
        with pytest.raises(ClaimLostError):  # the claim was given back: it fences nothing more
            store.retry_job_later(claim, run_after=at)
    with time_machine.travel(at + timedelta(seconds=60), tick=False):
        retried = store.claim_job(lease_seconds=30)
        assert retried is not None and retried.id == job.id and retried.attempts == 2
        other = store.defer_job("deliver", {}, queue="digests", lock="delivery:8")
        assert other is not None
        other_claim = store.claim_job(lease_seconds=30)
        assert other_claim is not None
        with pytest.raises(ClaimLostError):  # a stale claim (attempt 1) cannot touch attempt 2
            store.retry_job_later(claim, run_after=at)
        still = store.get_job(job.id)
        assert still is not None and still.status == "running"
        assert store.get_job(other.id).status == "running"  # type: ignore[union-attr]


def test_the_queue_limit_counts_brief_jobs_not_digest_tasks(store: Store) -> None:
    from briefing.store import QueueFullError

    for n in range(3):
        store.defer_job("feed", {"feed_id": n}, queue="digests", lock=f"feed:{n}")
    store.submit_job("brief", {}, limit=1)  # three digest tasks queued: still room for one brief job
    assert store.count_active_jobs() == 1
    with pytest.raises(QueueFullError):
        store.submit_job("brief", {}, limit=1)


def test_finished_digest_tasks_are_pruned_after_their_retention_and_brief_jobs_are_kept(store: Store) -> None:
    import time_machine

    at = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    jobs = []
    for step, make in enumerate(
        [
            lambda: store.submit_job("brief", {}),
            lambda: store.defer_job("feed", {"feed_id": 1}, queue="digests", lock="feed:1"),
            lambda: store.defer_job("feed", {"feed_id": 2}, queue="digests", lock="feed:2"),
        ]
    ):
        with time_machine.travel(at + timedelta(seconds=step), tick=False):  # distinct ages: claimed in order
            jobs.append(make())
    brief, done, failed = jobs
    assert done is not None and failed is not None
    with time_machine.travel(at + timedelta(seconds=5), tick=False):
        waiting = store.defer_job(
            "feed", {"feed_id": 3}, queue="digests", lock="feed:3", run_after=at + timedelta(days=9)
        )
        assert waiting is not None
        for job in (brief, done, failed):
            claim = store.claim_job(lease_seconds=30)
            assert claim is not None and claim.id == job.id
            if job is failed:
                store.fail_job(job.id, error={"type": "X", "message": "x"}, claim=claim)
            else:
                store.finish_job(job.id, result_id=None, result=None, claim=claim)
    finished, day = at + timedelta(seconds=5), timedelta(days=1)
    assert store.prune_tasks(older_than=day, now=finished + day) == 0  # exactly a day old: kept
    assert store.prune_tasks(older_than=day, now=finished + day + timedelta(seconds=1)) == 2
    assert store.get_job(done.id) is None and store.get_job(failed.id) is None
    assert store.get_job(brief.id) is not None  # a brief job is read by its id: never pruned
    assert store.get_job(waiting.id) is not None  # not finished


def test_a_claim_for_no_kind_takes_nothing(store: Store) -> None:
    store.submit_job("brief", {})
    assert store.claim_job(lease_seconds=30, kinds=()) is None  # a worker that runs no kind
    claimed = store.claim_job(lease_seconds=30)  # no filter: any kind
    assert claimed is not None and claimed.kind == "brief"
