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
        results = []
        for item in items:
            results.append(_call(fn, item))
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


def _call(fn, item):
    try:
        return fn(item)
    except Exception as exc:  # handed back to the caller in item order, see each()
        return Failed(exc)
