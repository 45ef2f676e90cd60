# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: runs that change the same namespace exclude each other.

A run holds a coordination.k8s.io/v1 Lease named LEASE_NAME in every instance namespace it changes, from
before its first read of the instances to its end. It takes them in sorted order (two runs over the
same namespaces never hold one each and wait for the other), renews them every LEASE_SECONDS / 3 from a
thread, and deletes them at the end. A second run waits up to its wait time, then fails naming the
holder. A run that was killed stops renewing: its Lease expires LEASE_SECONDS after its last renewal and
the next run takes it over (the replace carries the resourceVersion it read, so of two runs taking over
at once one wins and the other waits again).

Only namespaced rights are needed: get, create, update and delete on leases in the instance namespaces.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import socket
import threading
import time
import uuid

from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

LEASE_NAME = 'daprkit-dapr-shared'
# Short enough that a killed run (an AWX job whose pod was deleted) blocks the next one for well under a
# minute; long enough that a renewal every LEASE_SECONDS / 3 survives a slow API server.
LEASE_SECONDS = 30
POLL_SECONDS = 2.0


class LeaseConflict(Exception):
    """Somebody else created or changed the Lease between our read and our write."""


class LeaseLost(Exception):
    """Our Lease is gone or has another holder."""


def holder_identity():
    """Who holds the Lease, in words a user can trace back to a run: host, process, and a run id."""
    return '%s pid %d run %s' % (socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _micro_time(moment):
    """metav1.MicroTime as the API server writes it."""
    return moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def _parse_time(text):
    if not text:
        return None
    text = str(text).replace('Z', '+00:00')
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None


def expired(lease, now):
    """True when the holder stopped renewing the Lease more than its duration ago (or it has no holder)."""
    spec = lease.get('spec') or {}
    if not spec.get('holderIdentity'):
        return True
    renewed = _parse_time(spec.get('renewTime')) or _parse_time(spec.get('acquireTime'))
    if renewed is None:
        return True
    return (now - renewed).total_seconds() > int(spec.get('leaseDurationSeconds') or LEASE_SECONDS)


def describe_holder(lease, now):
    spec = lease.get('spec') or {}
    renewed = _parse_time(spec.get('renewTime'))
    age = ', renewed %ds ago' % (now - renewed).total_seconds() if renewed else ''
    return '%s (since %s%s)' % (spec.get('holderIdentity'), spec.get('acquireTime') or 'an unknown time', age)


def lease_body(namespace, holder, now, resource_version=None, transitions=0):
    metadata = dict(name=LEASE_NAME, namespace=namespace,
                    labels={'app.kubernetes.io/managed-by': 'daprkit.dapr'})
    if resource_version:
        metadata['resourceVersion'] = resource_version
    return dict(apiVersion='coordination.k8s.io/v1', kind='Lease', metadata=metadata,
                spec=dict(holderIdentity=holder, leaseDurationSeconds=LEASE_SECONDS, acquireTime=_micro_time(now),
                          renewTime=_micro_time(now), leaseTransitions=transitions))


class KubeLeaseStore(object):
    """The Lease calls, through the run's KubeService (its cached discovery, its way of naming API failures).
    Errors the caller acts on become LeaseConflict (409) or None (404); the rest is a DaprSharedError naming the
    namespace and the rights a Lease needs (typically one is missing)."""

    def __init__(self, service, api_error, call):
        self._service = service
        self._api_error = api_error   # _service._api_error: an API answer as a DaprSharedError
        self._call_api = call         # _service._call: transport failures become ApiUnreachable

    def _call(self, what, namespace, request):
        from kubernetes.dynamic.exceptions import ConflictError, NotFoundError
        try:
            return self._call_api(what, 'Lease %s/%s' % (namespace, LEASE_NAME),
                                  lambda: request(self._service.resource('coordination.k8s.io/v1', 'Lease')))
        except ConflictError:
            raise LeaseConflict()
        except NotFoundError:
            return None
        except DaprSharedError:
            raise
        except Exception as exc:
            raise DaprSharedError('%s (a Lease keeps two runs from changing namespace %s at once: it needs get, '
                                  'create, update and delete on coordination.k8s.io leases there)'
                                  % (self._api_error(what, 'Lease %s/%s' % (namespace, LEASE_NAME), exc).msg,
                                     namespace))

    def get(self, namespace):
        found = self._call('reading', namespace, lambda leases: leases.get(name=LEASE_NAME, namespace=namespace))
        return found.to_dict() if found is not None else None

    def create(self, namespace, body):
        if self._call('creating', namespace, lambda leases: leases.create(body=body, namespace=namespace)) is None:
            raise LeaseConflict()  # the namespace itself is gone; treated like a race

    def replace(self, namespace, body):
        if self._call('updating', namespace, lambda leases: leases.replace(body=body, namespace=namespace)) is None:
            raise LeaseConflict()

    def delete(self, namespace, resource_version):
        # only the Lease we wrote last: one renewed or taken over meanwhile is left alone (409)
        options = dict(apiVersion='v1', kind='DeleteOptions', preconditions=dict(resourceVersion=resource_version))
        self._call('deleting', namespace, lambda leases: leases.delete(name=LEASE_NAME, namespace=namespace,
                                                                       body=options))


class NamespaceLeases(object):
    """The Leases one run holds. Use as a context manager around everything the run reads and changes."""

    def __init__(self, store, namespaces, wait_seconds, holder=None, clock=time.monotonic, sleep=time.sleep,
                 now=_now, renew=True):
        self.store = store
        self.namespaces = sorted(set(namespaces))
        self.wait_seconds = wait_seconds
        self.holder = holder or holder_identity()
        self.clock, self.sleep, self.now = clock, sleep, now
        self.renew = renew
        self.held = {}          # namespace -> resourceVersion of our Lease
        self.waited = {}        # namespace -> seconds spent waiting for another holder
        self.taken_over = {}    # namespace -> the expired holder we replaced
        self.lost = []          # namespaces whose Lease somebody took from us while we ran
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        try:
            for namespace in self.namespaces:
                self._acquire(namespace)
        except BaseException:
            self.release()
            raise
        if self.renew and self.held:
            self._thread = threading.Thread(target=self._renew_loop, name='daprkit-lease-renewal')
            self._thread.daemon = True
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.release()
        return False

    def _acquire(self, namespace):
        start = self.clock()
        while True:
            current = self.store.get(namespace)
            now = self.now()
            try:
                if current is None:
                    body = lease_body(namespace, self.holder, now)
                    self.store.create(namespace, body)
                    self.held[namespace] = self._version_after_write(namespace)
                    break
                if expired(current, now):
                    spec = current.get('spec') or {}
                    body = lease_body(namespace, self.holder, now, current['metadata'].get('resourceVersion'),
                                      int(spec.get('leaseTransitions') or 0) + 1)
                    self.store.replace(namespace, body)
                    if spec.get('holderIdentity'):
                        self.taken_over[namespace] = spec['holderIdentity']
                    self.held[namespace] = self._version_after_write(namespace)
                    break
            except LeaseConflict:
                continue  # another run wrote between our read and our write: read again
            waited = self.clock() - start
            if waited >= self.wait_seconds:
                raise DaprSharedError(
                    'namespace %s is being changed by another run: its Lease %s/%s is held by %s; waited %ds '
                    '(lease_wait_timeout=%d). Run again when that run has ended; a killed run\'s Lease expires %ds '
                    'after its last renewal.' % (namespace, namespace, LEASE_NAME, describe_holder(current, now),
                                                 int(waited), self.wait_seconds, LEASE_SECONDS),
                    lease=dict(namespace=namespace, holder=(current.get('spec') or {}).get('holderIdentity')))
            self.sleep(POLL_SECONDS)
        waited = self.clock() - start
        if waited >= POLL_SECONDS:
            self.waited[namespace] = int(round(waited))

    def _version_after_write(self, namespace):
        written = self.store.get(namespace)
        if not written or (written.get('spec') or {}).get('holderIdentity') != self.holder:
            raise LeaseConflict()
        return written['metadata'].get('resourceVersion')

    def renew_once(self):
        """Writes a fresh renewTime into every Lease we hold; a Lease somebody else holds now is lost."""
        with self._lock:
            for namespace in list(self.held):
                current = self.store.get(namespace)
                if not current or (current.get('spec') or {}).get('holderIdentity') != self.holder:
                    self.lost.append(namespace)
                    del self.held[namespace]
                    continue
                spec = dict(current['spec'], renewTime=_micro_time(self.now()))
                body = dict(current, spec=spec)
                try:
                    self.store.replace(namespace, body)
                    self.held[namespace] = self._version_after_write(namespace)
                except LeaseConflict:
                    continue  # read again at the next renewal

    def _renew_loop(self):
        while not self._stop.wait(LEASE_SECONDS / 3.0):
            try:
                self.renew_once()
            except Exception:  # a failed renewal is retried; the Lease lasts LEASE_SECONDS past the last one
                pass

    def release(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(LEASE_SECONDS)
            self._thread = None
        with self._lock:
            for namespace, version in sorted(self.held.items()):
                try:
                    self.store.delete(namespace, version)
                except (LeaseConflict, DaprSharedError):
                    pass  # renewed meanwhile or no longer ours; it expires on its own
            self.held = {}

    def summary(self):
        """What the result says about the Leases (empty when nothing happened worth saying)."""
        out = {}
        if self.waited:
            out['waited_seconds'] = dict(self.waited)
        if self.taken_over:
            out['taken_over_from'] = dict(self.taken_over)
        if self.lost:
            out['lost'] = list(self.lost)
        return out
