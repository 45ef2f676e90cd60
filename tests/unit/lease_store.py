"""An in-memory Lease store for unit tests: the API server's optimistic concurrency (resourceVersion
preconditions) and nothing else."""
import copy

from ansible_collections.daprkit.dapr.plugins.module_utils import _lease as L


class FakeStore(object):
    """Leases by namespace with the API server's optimistic concurrency (resourceVersion preconditions)."""

    def __init__(self):
        self.leases = {}
        self.version = 0
        self.before_write = None  # a hook that lets a rival write between our read and our write

    def _stamp(self, body):
        self.version += 1
        stored = copy.deepcopy(body)
        stored['metadata']['resourceVersion'] = str(self.version)
        return stored

    def get(self, namespace):
        return copy.deepcopy(self.leases.get(namespace))

    def create(self, namespace, body):
        if self.before_write:
            hook, self.before_write = self.before_write, None
            hook()
        if namespace in self.leases:
            raise L.LeaseConflict()
        self.leases[namespace] = self._stamp(body)

    def replace(self, namespace, body):
        if self.before_write:
            hook, self.before_write = self.before_write, None
            hook()
        current = self.leases.get(namespace)
        if current is None or current['metadata']['resourceVersion'] != body['metadata'].get('resourceVersion'):
            raise L.LeaseConflict()
        self.leases[namespace] = self._stamp(body)

    def delete(self, namespace, resource_version):
        current = self.leases.get(namespace)
        if current is None:
            return
        if current['metadata']['resourceVersion'] != resource_version:
            raise L.LeaseConflict()
        del self.leases[namespace]
