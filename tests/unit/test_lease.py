"""_lease: the per-namespace Leases two runs exclude each other with (pure logic, an in-memory Lease store;
the cluster behaviour is proven on kind by molecule/resources/concurrent_runs.yml)."""
import datetime

import pytest

from ansible_collections.daprkit.dapr.plugins.module_utils import _lease as L
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

from lease_store import FakeStore

T0 = datetime.datetime(2026, 12, 5, 3, 0, 0, tzinfo=datetime.timezone.utc)


class FakeClock(object):
    """Monotonic seconds and wall time advance together when the code sleeps."""

    def __init__(self):
        self.seconds = 0.0

    def clock(self):
        return self.seconds

    def sleep(self, seconds):
        self.seconds += seconds

    def now(self):
        return T0 + datetime.timedelta(seconds=self.seconds)


def leases(store, clock, namespaces, wait=60, holder='run-a'):
    return L.NamespaceLeases(store, namespaces, wait, holder=holder, clock=clock.clock, sleep=clock.sleep,
                             now=clock.now, renew=False)


def test_a_run_holds_one_lease_per_namespace_while_it_runs_and_none_after():
    store, clock = FakeStore(), FakeClock()
    with leases(store, clock, ['b', 'a', 'b']) as held:
        assert sorted(store.leases) == ['a', 'b']
        assert all(lease['spec']['holderIdentity'] == 'run-a' for lease in store.leases.values())
        assert store.leases['a']['spec']['leaseDurationSeconds'] == L.LEASE_SECONDS
        assert held.summary() == {}
    assert store.leases == {}


def test_a_second_run_waits_then_fails_naming_the_holder_and_the_wait():
    store, clock = FakeStore(), FakeClock()
    with leases(store, clock, ['apps']):
        second = leases(store, clock, ['apps'], wait=10, holder='run-b')
        # the first run keeps renewing meanwhile: the Lease never expires
        second.sleep = lambda s: (clock.sleep(s), leases_renew(store, 'apps', clock))
        with pytest.raises(DaprSharedError) as err:
            second.__enter__()
    assert 'namespace apps is being changed by another run' in err.value.msg
    assert 'held by run-a' in err.value.msg
    assert 'lease_wait_timeout=10' in err.value.msg
    assert err.value.details['lease'] == dict(namespace='apps', holder='run-a')
    assert clock.seconds >= 10


def leases_renew(store, namespace, clock):
    if namespace in store.leases:
        store.leases[namespace]['spec']['renewTime'] = L._micro_time(clock.now())


def test_a_second_run_proceeds_as_soon_as_the_first_releases():
    store, clock = FakeStore(), FakeClock()
    first = leases(store, clock, ['apps']).__enter__()
    second = leases(store, clock, ['apps'], holder='run-b')
    released_at = []

    def sleep(seconds):
        clock.sleep(seconds)
        if clock.seconds >= 6 and not released_at:
            first.release()
            released_at.append(clock.seconds)
    second.sleep = sleep
    with second:
        assert store.leases['apps']['spec']['holderIdentity'] == 'run-b'
        assert second.summary()['waited_seconds']['apps'] >= 6
    assert store.leases == {}


def test_a_killed_runs_lease_expires_and_is_taken_over():
    store, clock = FakeStore(), FakeClock()
    leases(store, clock, ['apps'], holder='killed').__enter__()  # never released, never renewed
    with leases(store, clock, ['apps'], holder='run-b') as second:
        assert store.leases['apps']['spec']['holderIdentity'] == 'run-b'
        assert store.leases['apps']['spec']['leaseTransitions'] == 1
        assert second.summary()['taken_over_from'] == {'apps': 'killed'}
        assert clock.seconds > L.LEASE_SECONDS  # not before it expired


def test_a_rival_writing_between_read_and_write_makes_us_read_again_not_overwrite():
    store, clock = FakeStore(), FakeClock()
    run = leases(store, clock, ['apps'], wait=5, holder='run-b')
    # the rival creates the Lease right after our read: our create conflicts, we read again and wait
    store.before_write = lambda: store.leases.__setitem__('apps', store._stamp(
        L.lease_body('apps', 'rival', clock.now())))
    run.sleep = lambda s: (clock.sleep(s), leases_renew(store, 'apps', clock))
    with pytest.raises(DaprSharedError) as err:
        run.__enter__()
    assert 'held by rival' in err.value.msg
    assert store.leases['apps']['spec']['holderIdentity'] == 'rival'


def test_leases_are_taken_in_sorted_order_and_released_if_a_later_one_fails():
    store, clock = FakeStore(), FakeClock()
    store.leases['b'] = store._stamp(L.lease_body('b', 'other', clock.now()))
    run = leases(store, clock, ['b', 'a'], wait=4)
    run.sleep = lambda s: (clock.sleep(s), leases_renew(store, 'b', clock))
    with pytest.raises(DaprSharedError):
        run.__enter__()
    assert 'a' not in store.leases  # taken first, released when b could not be had
    assert store.leases['b']['spec']['holderIdentity'] == 'other'


def test_renewal_moves_renew_time_and_notices_a_lost_lease():
    store, clock = FakeStore(), FakeClock()
    with leases(store, clock, ['a', 'b']) as held:
        clock.sleep(10)
        held.renew_once()
        assert store.leases['a']['spec']['renewTime'] == L._micro_time(clock.now())
        store.leases['b']['spec']['holderIdentity'] = 'thief'
        held.renew_once()
        assert held.summary()['lost'] == ['b']
    assert 'a' not in store.leases and store.leases['b']['spec']['holderIdentity'] == 'thief'


@pytest.mark.parametrize('spec, seconds, is_expired', [
    ({'holderIdentity': 'x', 'renewTime': '2026-12-05T03:00:00.000000Z', 'leaseDurationSeconds': 30}, 29, False),
    ({'holderIdentity': 'x', 'renewTime': '2026-12-05T03:00:00.000000Z', 'leaseDurationSeconds': 30}, 31, True),
    ({'holderIdentity': '', 'renewTime': '2026-12-05T03:00:00.000000Z', 'leaseDurationSeconds': 30}, 0, True),
    ({'holderIdentity': 'x', 'acquireTime': '2026-12-05T03:00:00.000000Z'}, 10, False),
    ({'holderIdentity': 'x'}, 0, True),
])
def test_expiry_follows_the_holders_last_renewal_and_its_duration(spec, seconds, is_expired):
    assert L.expired({'spec': spec}, T0 + datetime.timedelta(seconds=seconds)) is is_expired
