"""Three sentences of the Python documentation, as claimbench claims.

A project's claims are a module with a ``CLAIMS`` tuple of ``claimbench.Claim``; its
``pytest.ini`` names the module (``claimbench_claims = asyncio_docs_claims``) and its tests
mark each experiment with ``@pytest.mark.claim(id)``.
"""
from claimbench import always, Claim, HOLDS

CLAIMS = (
    Claim(
        id="gather-runs-concurrently",
        section="asyncio",
        quote="asyncio.gather(*aws): Run awaitable objects in the aws sequence concurrently.",
        statement="n coroutines that each sleep T, gathered, are all done after about T, not n·T.",
        expect=always(HOLDS, "the event loop runs the others while one sleeps"),
    ),
    Claim(
        id="wait-for-cancels-on-timeout",
        section="asyncio",
        quote="asyncio.wait_for(aw, timeout): If a timeout occurs, it cancels the task and raises TimeoutError.",
        statement="wait_for on a coroutine that outlasts the timeout raises TimeoutError, and the coroutine "
                  "itself is cancelled (it sees CancelledError) rather than left running.",
        expect=always(HOLDS, "documented since 3.7; TimeoutError is asyncio.TimeoutError before 3.11"),
    ),
    Claim(
        id="as-completed-yields-as-they-complete",
        section="concurrent.futures",
        quote="concurrent.futures.as_completed(fs): Returns an iterator over the Future instances given by "
              "fs that yields futures as they complete (finished or cancelled futures).",
        statement="Futures submitted slowest first come out of as_completed fastest first.",
        expect=always(HOLDS, "as_completed waits on the futures' completion, not their order in fs"),
    ),
)
