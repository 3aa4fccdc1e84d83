"""Expensive steps in batches between turns of the loop: in order, in context, and fair."""

from __future__ import annotations

import asyncio
import contextvars
import time

import pytest

from filmoteca.api.turns import Turns, finish_now

who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nadie")


def _slow_step(name: str, seconds: float, ran: list[str]) -> str:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
    ran.append(name)
    return f"{name}:{who.get()}"


def test_steps_run_in_order_in_the_context_of_their_request() -> None:
    async def main() -> list[str]:
        turns, ran = Turns(), []

        async def request(name: str) -> str:
            who.set(name)
            return await turns.run(lambda: _slow_step(name, 0, ran))

        results = await asyncio.gather(*(request(f"p{i}") for i in range(5)))
        assert ran == [f"p{i}" for i in range(5)]
        return results

    assert asyncio.run(main()) == [f"p{i}:p{i}" for i in range(5)]


def test_a_step_error_reaches_its_request_only() -> None:
    async def main() -> tuple[object, ...]:
        turns = Turns()

        def fails() -> None:
            raise ValueError("mal")

        return tuple(
            await asyncio.gather(turns.run(fails), turns.run(lambda: 1), return_exceptions=True)
        )

    failed, fine = asyncio.run(main())
    assert isinstance(failed, ValueError) and fine == 1


def test_a_cheap_request_does_not_wait_for_the_whole_flood() -> None:
    async def main() -> tuple[float, float]:
        turns, ran = Turns(budget=0.002), []
        flood = [asyncio.ensure_future(turns.run(lambda: _slow_step("x", 0.001, ran)))
                 for _ in range(100)]  # fmt: skip
        start = time.perf_counter()
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # a cheap request: two turns of the loop
        cheap = time.perf_counter() - start
        await asyncio.gather(*flood)
        return cheap, time.perf_counter() - start

    cheap, everything = asyncio.run(main())
    assert everything >= 0.1  # 100 steps of 1 ms
    assert cheap < 0.02  # about one batch (2 ms) per turn, not the 100 ms of the flood


def test_finish_now_runs_a_coroutine_that_never_waits() -> None:
    async def computes() -> int:
        return 7

    async def waits() -> None:
        await asyncio.sleep(0)

    assert finish_now(computes()) == 7
    with pytest.raises(RuntimeError):
        finish_now(waits())
