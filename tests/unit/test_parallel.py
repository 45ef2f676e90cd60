"""_parallel.each: requests of one step go out together, results and errors keep the items' order."""
import threading
import time

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import Failed, NotRun, each, each_after


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


def test_each_after_runs_an_item_only_after_what_it_needs_and_prefers_ending_chains():
    order, lock = [], threading.Lock()

    def call(item):
        time.sleep(0.01)
        with lock:
            order.append(item)
        if item == 'b1':
            raise ValueError('b1 refused')
        return item.upper()
    # three chains of two objects then a workload, one worker: strictly in the order chosen
    items = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'aw', 'bw', 'cw']
    needs = [[], [], [], [], [], [], [0, 1], [2, 3], [4, 5]]
    results = each_after(call, items, needs, workers=1)
    assert order == ['a1', 'a2', 'aw', 'b1', 'b2', 'c1', 'c2', 'cw'], 'a ready workload goes before other objects'
    assert results[6] == 'AW' and results[8] == 'CW'
    assert isinstance(results[2], Failed) and isinstance(results[2].error, ValueError)
    assert isinstance(results[7], Failed) and isinstance(results[7].error, NotRun), 'bw needs the refused b1'


def test_each_after_with_many_workers_keeps_every_chain_in_order():
    finished_at, lock = {}, threading.Lock()

    def call(item):
        time.sleep(0 if item.startswith('0-') else 0.003)  # the first chain is ready long before the last objects
        with lock:
            finished_at[item] = len(finished_at)
        return item
    items = ['%d-%d' % (chain, step) for chain in range(12) for step in range(3)] + ['%d-w' % c for c in range(12)]
    needs = [[] for _c in range(36)] + [[3 * c, 3 * c + 1, 3 * c + 2] for c in range(12)]
    assert each_after(call, items, needs, workers=8) == items
    for chain in range(12):
        assert all(finished_at['%d-w' % chain] > finished_at['%d-%d' % (chain, step)] for step in range(3))
    assert min(finished_at['%d-w' % c] for c in range(12)) < max(finished_at[i] for i in items[:36]), \
        'the first workloads start before the last objects of other chains'


def test_each_after_refuses_needs_that_could_make_a_cycle():
    with pytest.raises(ValueError, match='only need earlier items'):
        each_after(lambda item: item, ['a', 'b'], [[1], []])
