"""The per-process runner of on-demand forecasts: a queue, a thread, one child.

Each job runs in a fresh "spawn" child (a threaded gunicorn worker is never
forked) under a wall-clock limit; this thread waits, kills an overrun and stores
the outcome. What a job is and how outcomes are stored is left to ``ondemand.py``.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import queue
import threading
import time
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Any

import pandas as pd

from cache.codec import decode_frame, encode_frame
from cache.store import Store
from errors import CacheError
from web import ondemand_job
from web.ondemand import ForecastJob, done_items, failed_items, pending_items

logger = logging.getLogger(__name__)

# Jobs waiting behind the running one: the Overview's three KPIs at both grains.
QUEUE_SIZE = 6
# Seconds a killed child gets to be reaped, and a page waits beyond the limits.
REAP_SECONDS = 5.0
MARGIN_SECONDS = 10.0
NO_ANSWER = "the fitting process ended without an answer"


class ForecastRunner:
    """Run jobs one at a time in child processes and store what each gives.

    ``seconds`` is each job's wall-clock limit, child start included; outcomes
    live ``ttl`` seconds. A job already queued or running here is not queued
    again; a job another process holds is marked pending in the store, which
    requests read before they submit. Two processes can still both queue one
    selection within the same few milliseconds; both then store the same
    result, which costs one fit and nothing else, so no lock across processes
    is taken.
    """

    def __init__(
        self,
        store: Store,
        *,
        seconds: float,
        ttl: int,
        queue_size: int = QUEUE_SIZE,
    ) -> None:
        self.store = store
        self.seconds = seconds
        self.ttl = ttl
        self.queue_size = queue_size
        # Process ids of every child started, in order: for logs, tests and bench.
        self.child_pids: list[int] = []
        # Largest memory peak a child reported, in MB.
        self.peak_mb = 0.0
        self._context: SpawnContext = multiprocessing.get_context("spawn")
        self._jobs: queue.Queue[tuple[ForecastJob, bytes]] = queue.Queue()
        self._active: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._child: SpawnProcess | None = None
        self._stopping = False

    @property
    def patience(self) -> float:
        """Seconds a page waits for a job: every job ahead of it, its own, a margin."""
        return self.seconds * (self.queue_size + 1) + MARGIN_SECONDS

    def submit(self, job: ForecastJob, history: pd.DataFrame) -> bool:
        """Queue ``job`` on ``history``; False when the queue is full.

        True too when the job is already queued or running in this process.
        """
        key = job.key("status")
        with self._lock:
            if key in self._active:
                return True
            if len(self._active) > self.queue_size:
                return False
            self._active.add(key)
        # Marked pending before it is queued, so the mark never lands on a result.
        self._store(job, pending_items(job, self.store.item_limit), self.patience)
        self._jobs.put((job, encode_frame(history)))
        self._start_thread()
        logger.info("queued an on-demand forecast of %s", job.series_id)
        return True

    def busy(self) -> bool:
        """Whether a job is queued or running in this process."""
        with self._lock:
            return bool(self._active)

    def stop(self) -> None:
        """Kill the running child, if any (at exit: the thread is a daemon).

        Its job stores nothing: its pending mark expires and the next view of
        the selection queues it again.
        """
        self._stopping = True
        child = self._child
        if child is not None and child.is_alive():
            child.kill()
            child.join(REAP_SECONDS)

    def _start_thread(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._work, name="on-demand-forecasts", daemon=True
            )
            self._thread.start()
        atexit.register(self.stop)

    def _work(self) -> None:
        while True:
            job, history = self._jobs.get()
            try:
                self._run(job, history)
            except Exception:  # the thread must outlive any one job
                logger.exception("on-demand forecast of %s failed", job.series_id)
            finally:
                with self._lock:
                    self._active.discard(job.key("status"))

    def _run(self, job: ForecastJob, history: bytes) -> None:
        started = time.monotonic()
        reply = self._in_child(job, history)
        seconds = time.monotonic() - started
        if self._stopping:
            return
        self.peak_mb = max(self.peak_mb, float(reply.get("peak_mb", 0.0)))
        if reply.get("state") == "done":
            items = done_items(
                job,
                decode_frame(reply["forecast"]),
                decode_frame(reply["accuracy"]),
                self.store.item_limit,
            )
            logger.info(
                "on-demand forecast of %s in %.1f s, child peak %.0f MB",
                job.series_id,
                seconds,
                reply.get("peak_mb", 0.0),
            )
        else:
            reason = failure_sentence(reply, self.seconds)
            items = failed_items(job, reason, self.store.item_limit)
            logger.warning(
                "on-demand forecast of %s failed after %.1f s: %s",
                job.series_id,
                seconds,
                reply.get("error", reason),
            )
        self._store(job, items, self.ttl)

    def _in_child(self, job: ForecastJob, history: bytes) -> dict[str, Any]:
        """Run the job in a spawned child; kill it when the limit passes."""
        receiver, sender = self._context.Pipe(duplex=False)
        request = {
            "kpi": job.kpi,
            "grain": job.grain,
            "horizon": job.horizon,
            "history": history,
            "seconds": self.seconds,
        }
        child = self._context.Process(
            target=ondemand_job.main, args=(sender, request), daemon=True
        )
        child.start()
        self._child = child
        self.child_pids.append(child.pid or 0)
        sender.close()
        try:
            return _receive(receiver, self.seconds)
        finally:
            if child.is_alive():
                child.kill()
            child.join(REAP_SECONDS)
            receiver.close()
            self._child = None

    def _store(self, job: ForecastJob, items: dict[str, bytes], ttl: float) -> None:
        try:
            self.store.set_many(items, ttl=int(ttl))
        except CacheError as exc:
            logger.warning("could not store on-demand %s: %s", job.series_id, exc)


def _receive(receiver: Any, seconds: float) -> dict[str, Any]:
    if not receiver.poll(seconds):
        return {"state": "timeout"}
    try:
        reply: dict[str, Any] = receiver.recv()
    except EOFError:
        return {"state": "failed", "error": NO_ANSWER}
    return reply


def failure_sentence(reply: dict[str, Any], seconds: float) -> str:
    """What the page says about a failed job, in one sentence."""
    if reply.get("state") == "timeout":
        return f"Fitting took longer than {seconds:g} s; try a broader selection."
    error = str(reply.get("error", NO_ANSWER))
    return f"The model could not be fitted to this selection ({error[:200]})."
