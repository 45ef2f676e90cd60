"""make bench, part 7 (tools/bench/bench.py): one cold-start round, its objects, and the README row of plot.py."""
import importlib.util
import json
import os
import sys
import types

import pytest

_TOOLS = os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'bench')


def _load(name):
    spec = importlib.util.spec_from_file_location('bench_' + name, os.path.join(_TOOLS, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load('bench')


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def fake(monkeypatch):
    clock, calls = Clock(), dict(kubectl=[], driver=[])
    state = dict(publish='load: publish coldstart via=x topic=t total=5 failed=0 p50_ms=1.0 p99_ms=2.0', first_at=None)
    monkeypatch.setattr(bench.time, 'time', clock.time)
    monkeypatch.setattr(bench.time, 'sleep', clock.sleep)
    monkeypatch.setattr(bench, 'kubectl', lambda *args, **kw: calls['kubectl'].append(args) or '')

    def driver(pod, *args):
        calls['driver'].append(args)
        if args[0] == 'publish':
            return state['publish']
        seen = state['first_at'] is not None and clock.now >= state['first_at']
        return json.dumps(dict(first_ms=int(state['first_at'] * 1000) if seen else None))
    monkeypatch.setattr(bench, 'cold_driver_exec', driver)
    return clock, calls, state


def test_a_round_measures_from_the_scale_up_to_the_first_recorded_delivery(fake):
    clock, calls, state = fake
    state['first_at'] = clock.now + 4.2
    assert bench.cold_round('drv', 'app', 'topic', 'r1') == 4.2
    scales = [args for args in calls['kubectl'] if args[0] == 'scale']
    assert scales == [('scale', '-n', bench.NS_COLD, 'deployment/app', '--replicas=1'),
                      ('scale', '-n', bench.NS_COLD, 'deployment/app', '--replicas=0')]
    assert calls['driver'][0][:5] == ('publish', '--via', bench.COLD_SHARED, '--pubsub', 'bench-cold')
    # the app is back at zero (pods gone) before the next round starts
    assert calls['kubectl'][-1][:4] == ('wait', '-n', bench.NS_COLD, '--for=delete')


def test_a_round_without_any_delivery_fails_after_its_bound(fake):
    with pytest.raises(RuntimeError, match='no event reached app within 180 s'):
        bench.cold_round('drv', 'app', 'topic', 'r1')


def test_a_round_whose_publishing_failed_measures_nothing(fake):
    _clock, calls, state = fake
    state['publish'] = state['publish'].replace('failed=0', 'failed=5')
    with pytest.raises(RuntimeError, match='publishing'):
        bench.cold_round('drv', 'app', 'topic', 'r1')
    assert not any(args[0] == 'scale' for args in calls['kubectl'])


def test_the_cold_apps_run_the_recording_subscriber_at_zero():
    app = bench.cold_app('a', 'ns.a.events', {'dapr.io/enabled': 'true'})
    assert app['spec']['replicas'] == 0
    assert app['spec']['template']['metadata']['annotations'] == {'dapr.io/enabled': 'true'}
    command = app['spec']['template']['spec']['containers'][0]['command']
    assert command[:3] == ['python3', '/opt/e2e/scale_to_zero.py', 'serve']
    assert command[command.index('--record') + 1] == 'ns.a.events.deliveries'


def test_the_ratio_line_says_the_goal_is_a_floor(monkeypatch, capsys):
    monkeypatch.setattr(bench, 'save', lambda: None)
    bench.ratio('cold start to first event sidecar/shared', 2.0, 1.5, at_least=True)
    assert capsys.readouterr().out.strip() == 'cold start to first event sidecar/shared: 2.00   (goal >= 1.5: met)'
    bench.ratio('cold start to first event sidecar/shared', 0.8, 1.5, at_least=True)
    assert capsys.readouterr().out.strip() == 'cold start to first event sidecar/shared: 0.80   (goal >= 1.5: MISSED)'


def test_the_readme_row(monkeypatch):
    # plot.py draws with matplotlib (the bench's own venv, not .venv): the table needs none of it
    fake_mpl = types.ModuleType('matplotlib')
    fake_mpl.use = lambda backend: None
    monkeypatch.setitem(sys.modules, 'matplotlib', fake_mpl)
    monkeypatch.setitem(sys.modules, 'matplotlib.pyplot', types.ModuleType('matplotlib.pyplot'))
    plot = _load('plot')
    table = plot.markdown(dict(timings={}, economics={}, locality={}, scaling={}, latency=[],
                               ratios={'cold start to first event sidecar/shared': 3.0},
                               coldstart=dict(rounds=3, sidecar=[9.0, 8.0, 10.0], shared=[3.0, 2.0, 4.0])))
    assert '| cold start to the first event, median of 3 scale-ups from zero: sidecar / shared, goal >= 1.5 | ' \
           '9.0 s / 3.0 s | **3.00** |' in table
