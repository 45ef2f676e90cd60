#!/usr/bin/env python
"""End-to-end client for Dapr Shared: an un-annotated app (no sidecar) that uses the Dapr Python SDK
against a shared daprd named by DAPR_HTTP_ENDPOINT / DAPR_GRPC_ENDPOINT.

  app.py serve                 HTTP app on :8080 (subscriptions, event sink, invocation target)
  app.py check --app-id ID     state save/get, publish + delivery back to the app, self-invocation,
                               a job whose trigger reaches the app, a workflow run to completion,
                               token enforcement (metadata and the state API over plain HTTP, no SDK);
                               prints one JSON document, exits 1 on any failure
  app.py replicas --daprd IP,IP [--events N]
                               across the daprd replicas, each addressed by pod IP: a key written through one
                               is read through every other; N events published through the replicas in turn
                               are each delivered once to the app (all app pods counted); prints JSON, exits 1
  app.py wf-start --daprd IP,IP
                               starts a workflow with a durable timer (WF_TIMER_SECONDS) and names the daprd that
                               hosts it (its workflow actor count went up); prints JSON
  app.py wf-wait ID --after T  waits (bounded) until workflow ID completes; it must have completed after T (epoch
                               seconds, when a daprd was deleted); prints JSON, exits 1 if not completed as written
  app.py probe HOST:PORT...    TCP connect to each target (NetworkPolicy checks); prints JSON
  app.py status                GET /v1.0/metadata with the token of this pod's environment; prints JSON
  app.py load --app-id ID --label L [--rate R --seconds S]
                               bounded load through the shared daprd: state save+get over DAPR_HTTP_ENDPOINT
                               and invocation over DAPR_GRPC_ENDPOINT, R requests/s each for S seconds; prints
                               one line per stream: load: <what> <L> total=N failed=M p50_ms=X p99_ms=Y
"""
import argparse
import datetime
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENTS = []
JOBS = []
LOCK = threading.Lock()
IDENTITY = dict(node=os.environ.get('NODE_NAME', ''), pod=os.environ.get('POD_NAME', socket.gethostname()))
APP_TOKEN = os.environ.get('APP_API_TOKEN')
# Scenario namespaces share one Redis, whose streams are named after topics: the topic carries the namespace
TOPIC = os.environ.get('E2E_TOPIC', 'e2e')
DAPRD_HTTP_PORT = 3500
# long enough to delete a daprd pod while the workflow waits on its timer, short for the cluster tier's budget
WF_TIMER_SECONDS = 15


def callback_token_ok(headers):
    """With an app token configured, daprd must present it on every callback."""
    return None if not APP_TOKEN else headers.get('dapr-api-token') == APP_TOKEN


class JsonHandler(BaseHTTPRequestHandler):
    """What every app of the e2e image serves daprd with: JSON answers on kept-open connections."""
    # daprd keeps its app-channel connections open and reuses them; with HTTP/1.0 each answer would close
    # the connection, and every invocation would pay a new TCP connection to a (shared, remote) daprd
    protocol_version = 'HTTP/1.1'
    # headers and body go out in two writes: without TCP_NODELAY the body waits for the peer's delayed
    # ACK (40 ms on Linux) on a kept-open connection
    disable_nagle_algorithm = True

    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Handler(JsonHandler):

    def log_message(self, fmt, *args):  # keep pod logs short: one line per request
        sys.stderr.write('%s %s\n' % (self.command, self.path))

    def do_GET(self):
        if self.path == '/dapr/subscribe':
            return self._send(200, [dict(pubsubname='pubsub', topic=TOPIC, route='/events')])
        if self.path == '/events':
            with LOCK:
                return self._send(200, list(EVENTS))
        if self.path == '/jobs':
            with LOCK:
                return self._send(200, list(JOBS))
        if self.path == '/hello':
            return self._send(200, dict(IDENTITY, app_token_ok=callback_token_ok(self.headers)))
        if self.path == '/healthz':
            return self._send(200, IDENTITY)
        return self._send(404, dict(error='not found'))

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        if self.path == '/events':
            event = json.loads(body or b'{}')
            data = event.get('data')
            if isinstance(data, str):
                data = json.loads(data)
            with LOCK:
                # delivered_by: the daprd that called (its pod IP; pod to pod traffic is not masqueraded here)
                EVENTS.append(dict(id=(data or {}).get('id'), received_by=IDENTITY, delivered_by=self.client_address[0],
                                   app_token_ok=callback_token_ok(self.headers)))
            return self._send(200, dict(status='SUCCESS'))
        if self.path.startswith('/job/'):
            # daprd delivers a job trigger of the Jobs API to the app channel as POST /job/<name>
            with LOCK:
                JOBS.append(dict(name=self.path[len('/job/'):], received_by=IDENTITY))
            return self._send(200, dict(status='SUCCESS'))
        if self.path == '/hello':
            return self._send(200, dict(IDENTITY, app_token_ok=callback_token_ok(self.headers)))
        return self._send(404, dict(error='not found'))


def e2e_step(ctx, name):
    """The workflow's activity: runs in whichever app pod's worker daprd picks."""
    return dict(greeting='hello %s' % name, ran_on=IDENTITY)


def e2e_flow(ctx, name):
    first = yield ctx.call_activity(e2e_step, input=name)
    second = yield ctx.call_activity(e2e_step, input=name + '-again')
    return dict(first=first, second=second)


def e2e_flow_timer(ctx, args):
    """Like e2e_flow with a durable timer in between: a daprd restarts while it waits (wf-start, wf-wait)."""
    first = yield ctx.call_activity(e2e_step, input=args['name'])
    yield ctx.create_timer(datetime.timedelta(seconds=args['seconds']))
    second = yield ctx.call_activity(e2e_step, input=args['name'] + '-again')
    return dict(first=first, second=second)


def workflow_worker():
    """Host the workflow and its activity; daprd may not be there yet, so keep trying."""
    from dapr.ext.workflow import WorkflowRuntime

    while True:
        try:
            runtime = WorkflowRuntime()
            runtime.register_workflow(e2e_flow)
            runtime.register_workflow(e2e_flow_timer)
            runtime.register_activity(e2e_step)
            runtime.start()
            return
        except Exception as exc:  # no daprd yet, or not ready: retry
            sys.stderr.write('workflow worker not started yet: %s\n' % exc)
            time.sleep(5)


def serve():
    if os.environ.get('DAPR_GRPC_ENDPOINT'):
        threading.Thread(target=workflow_worker, daemon=True).start()
    ThreadingHTTPServer(('0.0.0.0', 8080), Handler).serve_forever()


def http_status(url, token=None):
    return http_call(url, token)[0]


def http_call(url, token=None, body=None):
    """A plain HTTP call (urllib, no SDK): (status, body text); a JSON body makes it a POST."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method='GET' if data is None else 'POST')
    if data is not None:
        request.add_header('Content-Type', 'application/json')
    if token:
        request.add_header('dapr-api-token', token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors='replace')
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors='replace')


def state_value(answer):
    """The value of a state read (status, body): the decoded JSON of a 200, else None."""
    status, body = answer
    try:
        return json.loads(body) if status == 200 and body else None
    except ValueError:
        return None


def check_state_http(base, token, result):
    """The state API over plain HTTP: with the token a save and a read work; without it daprd refuses with 401 and
    its own message, and the refused save did not happen (the key still holds the first value)."""
    key, first, second = 'e2e-http-%s' % uuid.uuid4().hex[:8], uuid.uuid4().hex, uuid.uuid4().hex
    url = base + '/v1.0/state/statestore'
    saved = http_call(url, token, [dict(key=key, value=first)])
    read = http_call(url + '/' + key, token)
    refused = http_call(url, None, [dict(key=key, value=second)])
    refused_read = http_call(url + '/' + key, None)
    after = http_call(url + '/' + key, token)
    result['state_http'] = dict(
        key=key, with_token=dict(save=saved[0], read=read[0], value=read[1]),
        without_token=dict(save=refused[0], save_body=refused[1].strip(), read=refused_read[0]),
        after_refused_save=after[1])
    if saved[0] != 204 or state_value(read) != first:
        result['failures'].append('state API with the token: save %s, read %s %r' % (saved[0], read[0], read[1]))
    if refused[0] != 401 or 'invalid api token' not in refused[1] or refused_read[0] != 401:
        result['failures'].append('state API without the token: save %s %r, read %s (401 "invalid api token" expected)'
                                  % (refused[0], refused[1], refused_read[0]))
    if state_value(after) != first:
        result['failures'].append('the save without the token changed the key: %r' % after[1])


def all_app_events(peers_host, what='events'):
    """Events (or job triggers) recorded by every app pod (a headless Service resolves to all of them)."""
    found = []
    for info in socket.getaddrinfo(peers_host, 8080, proto=socket.IPPROTO_TCP):
        with urllib.request.urlopen('http://%s:8080/%s' % (info[4][0], what), timeout=5) as response:
            found.extend(json.loads(response.read()))
    return found


def runtime_version(token=None):
    """daprd's version as (major, minor), from its metadata."""
    request = urllib.request.Request(os.environ['DAPR_HTTP_ENDPOINT'] + '/v1.0/metadata')
    if token:
        request.add_header('dapr-api-token', token)
    with urllib.request.urlopen(request, timeout=10) as response:
        version = json.loads(response.read()).get('runtimeVersion') or ''
    return tuple(int(part) for part in re.findall(r'\d+', version)[:2]) or (0, 0)


def check_job(client, peers_host, result, token=None):
    """A one-shot job through the Jobs API (the scheduler): its trigger must reach the app."""
    from dapr.clients.grpc._jobs import Job

    name = 'e2e-job-%s' % uuid.uuid4().hex[:8]
    if runtime_version(token) < (1, 17):
        # Not checked against daprd older than 1.17, and said so in the output: the 1.18 SDK schedules through
        # a gRPC method daprd 1.16 does not have (daprd takes the call for proxied service invocation:
        # "required metadata dapr-callee-app-id not found"), and a job scheduled over its HTTP alpha API
        # was accepted but never triggered on the app within 60 s (seen in the upgrade scenario).
        result['job'] = dict(skipped='daprd %s.%s: the Jobs API is checked from daprd 1.17 on' % runtime_version(token))
        return
    client.schedule_job(Job(name=name, due_time='1s'))
    deadline, triggered = time.time() + 60, None
    while time.time() < deadline and not triggered:
        triggered = next((j for j in all_app_events(peers_host, 'jobs') if j.get('name') == name), None)
        time.sleep(0.5)
    result['job'] = dict(name=name, triggered_on=triggered and triggered['received_by'])
    if not triggered:
        result['failures'].append('job %s was never triggered on the app' % name)


def check_workflow(result):
    """A two-activity workflow run to completion by the app's workers (dapr-ext-workflow)."""
    from dapr.ext.workflow import DaprWorkflowClient, WorkflowStatus

    client = DaprWorkflowClient()
    name = uuid.uuid4().hex[:8]
    instance_id = client.schedule_new_workflow(workflow=e2e_flow, input=name)
    state = client.wait_for_workflow_completion(instance_id, timeout_in_seconds=90)
    status = state.runtime_status if state else None
    output = json.loads(state.serialized_output) if state and state.serialized_output else None
    result['workflow'] = dict(id=instance_id, status=status.name if status else None, output=output)
    if status != WorkflowStatus.COMPLETED or not output or output['second']['greeting'] != 'hello %s-again' % name:
        result['failures'].append('workflow %s did not complete as written: %s' % (instance_id, result['workflow']))


def check(app_id, peers_host):
    from dapr.clients import DaprClient

    result = dict(caller=IDENTITY, endpoint=os.environ.get('DAPR_HTTP_ENDPOINT'), failures=[])
    token = os.environ.get('DAPR_API_TOKEN')
    metadata_url = os.environ['DAPR_HTTP_ENDPOINT'] + '/v1.0/metadata'
    result['status_without_token'] = http_status(metadata_url)
    result['status_with_token'] = http_status(metadata_url, token)
    if token and result['status_without_token'] != 401:
        result['failures'].append('a request without the API token was not refused (status %s)' % result['status_without_token'])
    if result['status_with_token'] != 200:
        result['failures'].append('metadata with the token answered %s' % result['status_with_token'])
    check_state_http(os.environ['DAPR_HTTP_ENDPOINT'], token, result)

    key, marker = 'e2e-%s' % uuid.uuid4().hex[:8], uuid.uuid4().hex
    with DaprClient() as client:
        client.save_state('statestore', key, marker)
        got = client.get_state('statestore', key).data.decode()
        result['state'] = dict(key=key, saved=marker, read=got)
        if got != marker:
            result['failures'].append('state read back %r, saved %r' % (got, marker))

        event_id = uuid.uuid4().hex
        client.publish_event('pubsub', TOPIC, json.dumps(dict(id=event_id)), data_content_type='application/json')
        deadline, delivered = time.time() + 30, None
        while time.time() < deadline and not delivered:
            delivered = next((e for e in all_app_events(peers_host) if e.get('id') == event_id), None)
            time.sleep(0.5)
        result['event'] = dict(id=event_id, topic=TOPIC, delivered_to=delivered and delivered['received_by'],
                               delivered_by=delivered and delivered.get('delivered_by'),
                               app_token_ok=delivered and delivered.get('app_token_ok'))
        if not delivered:
            result['failures'].append('published event %s never reached the app' % event_id)

        check_job(client, peers_host, result, token)
        answer = client.invoke_method(app_id, 'hello', data='', http_verb='GET')
        result['invoked'] = json.loads(answer.data)
        for what in ('event', 'invoked'):
            if result[what].get('app_token_ok') is False:
                result['failures'].append('%s callback did not carry the app token' % what)
    check_workflow(result)
    print(json.dumps(result, indent=1, sort_keys=True))
    return 1 if result['failures'] else 0


def daprd_url(ip, path):
    return 'http://%s:%d%s' % (ip, DAPRD_HTTP_PORT, path)


def replicas(daprd_ips, peers_host, events):
    """What users of a multi-replica instance rely on, with each daprd addressed by its pod IP (not the Service)."""
    token = os.environ.get('DAPR_API_TOKEN')
    result = dict(caller=IDENTITY, daprd=daprd_ips, topic=TOPIC, failures=[], state=[])
    if len(daprd_ips) < 2:
        result['failures'].append('fewer than two daprd pods: %s' % daprd_ips)
    # a key written through one replica is read through each other one
    for writer in daprd_ips:
        for reader in daprd_ips:
            if reader == writer:
                continue
            key, value = 'e2e-replica-%s' % uuid.uuid4().hex[:8], uuid.uuid4().hex
            saved = http_call(daprd_url(writer, '/v1.0/state/statestore'), token, [dict(key=key, value=value)])
            read = http_call(daprd_url(reader, '/v1.0/state/statestore/' + key), token)
            got = state_value(read)
            result['state'].append(dict(key=key, writer=writer, reader=reader, saved=saved[0], read=got == value))
            if saved[0] != 204 or got != value:
                result['failures'].append('key %s saved through %s (%s) read through %s as %r (%s)'
                                          % (key, writer, saved[0], reader, read[1], read[0]))
    # N events through the replicas in turn; each must reach the app's consumer group once: not lost, not twice
    run = uuid.uuid4().hex[:8]
    ids = ['%s-%03d' % (run, i) for i in range(events)]
    for i, event_id in enumerate(ids):
        via = daprd_ips[i % len(daprd_ips)]
        status = http_call(daprd_url(via, '/v1.0/publish/pubsub/' + TOPIC), token, dict(id=event_id))[0]
        if status != 204:
            result['failures'].append('publish of %s through %s answered %s' % (event_id, via, status))
    wanted, deadline, seen = set(ids), time.time() + 60, []
    while time.time() < deadline:
        seen = [e for e in all_app_events(peers_host) if e.get('id') in wanted]
        if {e['id'] for e in seen} == wanted:
            break
        time.sleep(0.5)
    # a second delivery (a message not acknowledged in time and claimed again) shows up only later: the
    # components' processingTimeout (10 s) plus redeliverInterval (2 s), then look again
    time.sleep(13)
    seen = [e for e in all_app_events(peers_host) if e.get('id') in wanted]
    counts = {event_id: 0 for event_id in ids}
    by_daprd = {}
    for e in seen:
        counts[e['id']] += 1
        by_daprd[e.get('delivered_by')] = by_daprd.get(e.get('delivered_by'), 0) + 1
    result['events'] = dict(published=len(ids), delivered=len(seen),
                            lost=[i for i, n in counts.items() if n == 0],
                            duplicated=[i for i, n in counts.items() if n > 1],
                            delivered_by_daprd=by_daprd)
    if result['events']['lost'] or result['events']['duplicated']:
        result['failures'].append('events lost %s, delivered more than once %s'
                                  % (result['events']['lost'], result['events']['duplicated']))
    print(json.dumps(result, indent=1, sort_keys=True))
    return 1 if result['failures'] else 0


def workflow_actors(ip, token):
    """(count of active workflow actors, connected workflow workers) of one daprd, from its metadata."""
    status, body = http_call(daprd_url(ip, '/v1.0/metadata'), token)
    if status != 200:
        return None, None
    metadata = json.loads(body)
    count = sum(a.get('count', 0) for a in (metadata.get('actorRuntime') or {}).get('activeActors') or []
                if a.get('type', '').endswith('.workflow'))
    return count, (metadata.get('workflows') or {}).get('connectedWorkers')


def wf_start(daprd_ips):
    """Start e2e_flow_timer through the Service and tell which daprd hosts its workflow actor (the one whose count
    of active workflow actors went up), so that the caller can restart exactly that one."""
    from dapr.ext.workflow import DaprWorkflowClient, WorkflowStatus

    token = os.environ.get('DAPR_API_TOKEN')
    before = {ip: workflow_actors(ip, token)[0] for ip in daprd_ips}
    client = DaprWorkflowClient()
    name = uuid.uuid4().hex[:8]
    instance_id = client.schedule_new_workflow(workflow=e2e_flow_timer, input=dict(name=name, seconds=WF_TIMER_SECONDS))
    state = client.wait_for_workflow_start(instance_id, timeout_in_seconds=30)
    after = {ip: workflow_actors(ip, token) for ip in daprd_ips}
    grown = [ip for ip in daprd_ips if None not in (before[ip], after[ip][0]) and after[ip][0] > before[ip]]
    result = dict(id=instance_id, name=name, started_at=time.time(),
                  status=state.runtime_status.name if state else None,
                  host=grown[0] if len(grown) == 1 else None, actors_before=before,
                  actors_after={ip: a[0] for ip, a in after.items()},
                  connected_workers={ip: a[1] for ip, a in after.items()})
    print(json.dumps(result, indent=1, sort_keys=True))
    return 0 if result['status'] == WorkflowStatus.RUNNING.name else 1


def wf_wait(instance_id, after, timeout=120):
    """Poll (the Service may still route to a daprd that is going away: errors are retried) until the workflow is
    done; it must have completed as written and later than `after`."""
    from dapr.ext.workflow import DaprWorkflowClient, WorkflowStatus

    deadline, state, errors = time.time() + timeout, None, []
    while time.time() < deadline:
        try:
            state = DaprWorkflowClient().get_workflow_state(instance_id)
        except Exception as exc:  # daprd restarting behind the Service: try again
            errors.append(type(exc).__name__)
            state = None
        if state and state.runtime_status in (WorkflowStatus.COMPLETED, WorkflowStatus.FAILED,
                                              WorkflowStatus.TERMINATED):
            break
        time.sleep(1)
    status = state.runtime_status.name if state else None
    output = json.loads(state.serialized_output) if state and state.serialized_output else None
    updated = None
    if state and state.last_updated_at:
        # the SDK gives protobuf's ToDatetime(): naive, in UTC
        updated = state.last_updated_at.replace(tzinfo=datetime.timezone.utc).timestamp()
    result = dict(id=instance_id, status=status, output=output, completed_at=updated, deleted_at=after,
                  transient_errors=len(errors), failures=[])
    if status != WorkflowStatus.COMPLETED.name or not output or not output['second']['greeting'].endswith('-again'):
        result['failures'].append('workflow %s did not complete as written within %d s' % (instance_id, timeout))
    elif updated is None or updated <= after:
        result['failures'].append('workflow %s completed at %s, not after the daprd restart at %s'
                                  % (instance_id, updated, after))
    print(json.dumps(result, indent=1, sort_keys=True))
    return 1 if result['failures'] else 0


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _stream(call, rate, seconds, out):
    """Call `call` rate times a second for seconds; count failures and latencies (bounded, one caller)."""
    latencies, failed, total = [], 0, 0
    start = next_at = time.time()
    while time.time() - start < seconds:
        t0 = time.time()
        try:
            call()
        except Exception:  # any failure counts: refused, reset, 5xx, timeout
            failed += 1
        total += 1
        latencies.append((time.time() - t0) * 1000)
        next_at += 1.0 / rate
        time.sleep(max(0.0, next_at - time.time()))
    out.update(total=total, failed=failed, p50=_percentile(latencies, 0.5), p99=_percentile(latencies, 0.99))


def load(app_id, label, rate, seconds):
    from dapr.clients import DaprClient

    token = os.environ.get('DAPR_API_TOKEN') or ''
    base = os.environ['DAPR_HTTP_ENDPOINT']
    key = 'load-%s' % IDENTITY['pod']

    def state_http():
        body = json.dumps([dict(key=key, value=uuid.uuid4().hex)]).encode()
        request = urllib.request.Request(base + '/v1.0/state/statestore', data=body, method='POST',
                                         headers={'dapr-api-token': token, 'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
        request = urllib.request.Request(base + '/v1.0/state/statestore/' + key, headers={'dapr-api-token': token})
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()

    results = dict(state=dict(), invoke=dict())
    with DaprClient() as client:
        threads = [threading.Thread(target=_stream, args=(state_http, rate, seconds, results['state'])),
                   threading.Thread(target=_stream, args=(
                       lambda: client.invoke_method(app_id, 'hello', data='', http_verb='GET'),
                       rate, seconds, results['invoke']))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for what, channel in (('state', 'http'), ('invoke', 'grpc')):
        r = results[what]
        print('load: %s-%s %s node=%s total=%d failed=%d p50_ms=%.1f p99_ms=%.1f'
              % (what, channel, label, IDENTITY['node'], r['total'], r['failed'], r['p50'], r['p99']))
    return 0


def probe(targets, timeout=3.0):
    """TCP connect to each host:port; prints {target: 'connected' | error}. NetworkPolicy checks."""
    result = {}
    for target in targets:
        host, port = target.rsplit(':', 1)
        try:
            socket.create_connection((host, int(port)), timeout=timeout).close()
            result[target] = 'connected'
        except OSError as exc:
            result[target] = type(exc).__name__
    print(json.dumps(result, sort_keys=True))
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('mode', choices=['serve', 'check', 'probe', 'status', 'load', 'replicas', 'wf-start',
                                         'wf-wait'])
    parser.add_argument('--label', default='')
    parser.add_argument('--rate', type=float, default=10.0)
    parser.add_argument('--seconds', type=float, default=60.0)
    parser.add_argument('--app-id')
    parser.add_argument('--peers', default='e2e-app-peers')
    parser.add_argument('--daprd', default='', help='pod IPs of the daprd replicas, comma separated')
    parser.add_argument('--events', type=int, default=20)
    parser.add_argument('--after', type=float, default=0.0, help='wf-wait: epoch seconds of the daprd deletion')
    parser.add_argument('targets', nargs='*', help='host:port (probe mode), workflow id (wf-wait)')
    args = parser.parse_args()
    daprd_ips = [ip for ip in args.daprd.split(',') if ip]
    if args.mode == 'serve':
        serve()
        return 0
    if args.mode == 'probe':
        return probe(args.targets)
    if args.mode == 'replicas':
        return replicas(daprd_ips, args.peers, args.events)
    if args.mode == 'wf-start':
        return wf_start(daprd_ips)
    if args.mode == 'wf-wait':
        return wf_wait(args.targets[0], args.after)
    if args.mode == 'load':
        return load(args.app_id, args.label, args.rate, args.seconds)
    if args.mode == 'status':
        url = os.environ['DAPR_HTTP_ENDPOINT'] + '/v1.0/metadata'
        print(json.dumps(dict(status_with_env_token=http_status(url, os.environ.get('DAPR_API_TOKEN')))))
        return 0
    return check(args.app_id, args.peers)


if __name__ == '__main__':
    sys.exit(main())
