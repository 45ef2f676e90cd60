#!/usr/bin/env python
"""End-to-end client for Dapr Shared: an un-annotated app (no sidecar) that uses the Dapr Python SDK
against a shared daprd named by DAPR_HTTP_ENDPOINT / DAPR_GRPC_ENDPOINT.

  app.py serve                 HTTP app on :8080 (subscriptions, event sink, invocation target)
  app.py check --app-id ID     state save/get, publish + delivery back to the app, self-invocation,
                               a job whose trigger reaches the app, a workflow run to completion,
                               token enforcement; prints one JSON document, exits 1 on any failure
  app.py probe HOST:PORT...    TCP connect to each target (NetworkPolicy checks); prints JSON
  app.py status                GET /v1.0/metadata with the token of this pod's environment; prints JSON
  app.py load --app-id ID --label L [--rate R --seconds S]
                               bounded load through the shared daprd: state save+get over DAPR_HTTP_ENDPOINT
                               and invocation over DAPR_GRPC_ENDPOINT, R requests/s each for S seconds; prints
                               one line per stream: load: <what> <L> total=N failed=M p50_ms=X p99_ms=Y
"""
import argparse
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


def callback_token_ok(headers):
    """With an app token configured, daprd must present it on every callback."""
    return None if not APP_TOKEN else headers.get('dapr-api-token') == APP_TOKEN


class Handler(BaseHTTPRequestHandler):
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

    def log_message(self, fmt, *args):  # keep pod logs short: one line per request
        sys.stderr.write('%s %s\n' % (self.command, self.path))

    def do_GET(self):
        if self.path == '/dapr/subscribe':
            return self._send(200, [dict(pubsubname='pubsub', topic='e2e', route='/events')])
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
                EVENTS.append(dict(id=(data or {}).get('id'), received_by=IDENTITY,
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


def workflow_worker():
    """Host the workflow and its activity; daprd may not be there yet, so keep trying."""
    from dapr.ext.workflow import WorkflowRuntime

    while True:
        try:
            runtime = WorkflowRuntime()
            runtime.register_workflow(e2e_flow)
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
    request = urllib.request.Request(url)
    if token:
        request.add_header('dapr-api-token', token)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


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

    key, marker = 'e2e-%s' % uuid.uuid4().hex[:8], uuid.uuid4().hex
    with DaprClient() as client:
        client.save_state('statestore', key, marker)
        got = client.get_state('statestore', key).data.decode()
        result['state'] = dict(key=key, saved=marker, read=got)
        if got != marker:
            result['failures'].append('state read back %r, saved %r' % (got, marker))

        event_id = uuid.uuid4().hex
        client.publish_event('pubsub', 'e2e', json.dumps(dict(id=event_id)), data_content_type='application/json')
        deadline, delivered = time.time() + 30, None
        while time.time() < deadline and not delivered:
            delivered = next((e for e in all_app_events(peers_host) if e.get('id') == event_id), None)
            time.sleep(0.5)
        result['event'] = dict(id=event_id, delivered_to=delivered and delivered['received_by'],
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
    parser.add_argument('mode', choices=['serve', 'check', 'probe', 'status', 'load'])
    parser.add_argument('--label', default='')
    parser.add_argument('--rate', type=float, default=10.0)
    parser.add_argument('--seconds', type=float, default=60.0)
    parser.add_argument('--app-id')
    parser.add_argument('--peers', default='e2e-app-peers')
    parser.add_argument('targets', nargs='*', help='host:port (probe mode)')
    args = parser.parse_args()
    if args.mode == 'serve':
        serve()
        return 0
    if args.mode == 'probe':
        return probe(args.targets)
    if args.mode == 'load':
        return load(args.app_id, args.label, args.rate, args.seconds)
    if args.mode == 'status':
        url = os.environ['DAPR_HTTP_ENDPOINT'] + '/v1.0/metadata'
        print(json.dumps(dict(status_with_env_token=http_status(url, os.environ.get('DAPR_API_TOKEN')))))
        return 0
    return check(args.app_id, args.peers)


if __name__ == '__main__':
    sys.exit(main())
