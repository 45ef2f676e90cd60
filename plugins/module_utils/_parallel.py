# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: API calls of one step issued together, a bounded number at a time.

A run of 30 instances makes about a thousand API requests; one after the other, their round trips
add up to most of the run. Each step's requests are independent of each other (reads of different
objects, dry runs or applies of different objects), so they go out together. Results and errors
keep the order of the items, so what a run reports does not depend on which answer came first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

# Below the kubernetes client's connection pool (5 per CPU, 10 on 2 cores), so no request waits
# for a connection, and few enough that a small API server is not flooded.
WORKERS = 8


class Failed(object):
    """What one item raised, kept in place of its result."""

    def __init__(self, error):
        self.error = error


def each(fn, items, workers=WORKERS, keep_errors=False):
    """[fn(item) for item in items], at most `workers` at once, results in item order.

    Every item runs even when an earlier one fails. Then the first failure in item order is raised,
    or, with keep_errors, each failure is returned in its item's place as Failed(error).
    """
    items = list(items)
    if len(items) < 2 or workers < 2:
        results = [_call(fn, item) for item in items]
    else:
        pool = ThreadPoolExecutor(max_workers=min(workers, len(items)))
        try:
            results = list(pool.map(lambda item: _call(fn, item), items))
        finally:
            pool.shutdown(wait=True)
    if not keep_errors:
        for result in results:
            if isinstance(result, Failed):
                raise result.error
    return results


class NotRun(Exception):
    """An item of each_after() that did not run because an item it needs failed."""


def each_after(fn, items, needs, workers=WORKERS):
    """each(fn, items, keep_errors=True), where item i starts only after every item of needs[i] succeeded.

    needs[i] holds indices of earlier items only (so there is no cycle). An item whose needs failed is not
    run: Failed(NotRun()) stands in its place. Of the items ready to run, those that needed others go
    first: they end a chain (the workload after its Service and credentials), so chains finish one after
    the other instead of all at the very end.
    """
    items, needs = list(items), [sorted(set(n)) for n in needs]
    if any(j >= i for i, after in enumerate(needs) for j in after):
        raise ValueError('each_after: an item may only need earlier items')
    results, started, finished = [None] * len(items), [False] * len(items), [False] * len(items)
    done = threading.Condition()

    def next_item():
        """With the lock held: the index to run, None to wait, -1 when nothing is left to start."""
        pending = False
        for prefer_chains in (True, False):
            for i, after in enumerate(needs):
                if started[i] or (prefer_chains and not after):
                    continue
                if any(isinstance(results[j], Failed) for j in after):
                    started[i] = finished[i] = True
                    results[i] = Failed(NotRun())
                    done.notify_all()
                elif all(finished[j] for j in after):
                    return i
                else:
                    pending = True  # what it needs is still running
        return None if pending else -1

    def worker():
        while True:
            with done:
                i = next_item()
                while i is None:
                    done.wait()
                    i = next_item()
                if i < 0:
                    return
                started[i] = True
            result = _call(fn, items[i])
            with done:
                results[i], finished[i] = result, True
                done.notify_all()

    threads = [threading.Thread(target=worker) for _n in range(max(1, min(workers, len(items))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _call(fn, item):
    try:
        return fn(item)
    except Exception as exc:  # handed back to the caller in item order, see each()
        return Failed(exc)
