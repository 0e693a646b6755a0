"""Running a library's coroutine from plain code, whether or not this thread already runs an event loop."""
import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_to_completion(coroutine):
    """The coroutine's result. pyHanko signs and validates with asyncio; where this thread already runs
    a loop (a test process that drives a browser), the coroutine gets a loop of its own in another thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
