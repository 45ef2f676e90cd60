"""_parallel.each: requests of one step go out together, results and errors keep the items' order."""
import threading
import time

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import Failed, each


def test_results_keep_item_order_although_later_items_finish_first():
    def slow_first(n):
        time.sleep(0.05 if n == 0 else 0)
        return n * 10
    assert each(slow_first, range(5)) == [0, 10, 20, 30, 40]


def test_items_run_at_the_same_time_up_to_the_bound():
    running, peak, lock = [0], [0], threading.Lock()
    everyone = threading.Barrier(4, timeout=5)

    def call(_n):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        everyone.wait()  # only returns if 4 calls are in flight together
        with lock:
            running[0] -= 1
    each(call, range(8), workers=4)
    assert peak[0] == 4


def test_every_item_runs_then_the_first_failure_in_item_order_is_raised():
    seen = []

    def call(n):
        seen.append(n)
        if n in (1, 3):
            time.sleep(0.05 if n == 1 else 0)  # item 3 fails first in time, item 1 first in order
            raise ValueError('item %d' % n)
        return n
    with pytest.raises(ValueError, match='item 1'):
        each(call, range(5))
    assert sorted(seen) == [0, 1, 2, 3, 4]


def test_keep_errors_returns_each_failure_in_place():
    def call(n):
        if n == 2:
            raise KeyError(n)
        return n
    results = each(call, range(4), keep_errors=True)
    assert results[:2] == [0, 1] and results[3] == 3
    assert isinstance(results[2], Failed) and isinstance(results[2].error, KeyError)
