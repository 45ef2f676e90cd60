# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: what the dapr_shared module does, for both backends.

Order of a run (every instance of the task together):

1. validate every instance (all problems at once);
2. read: the control plane, the current objects, who owns them, the tokens to keep;
3. server-side dry run of every object of every instance: the API server checks them all before
   the first real change, and a rejection names the instance and the field;
4. apply what the dry runs showed to differ, prune what is no longer wanted;
5. wait on all workloads together.

After reading, each instance is classified once (Plan: remove, apply, apply after uninstall, helm
release) and the steps filter on that. With method helm, step 4 applies only the token Secrets (never
part of a release); then Helm (through kubernetes.core's helm runner, _helm_host) uninstalls the
releases that go, the instances switched to manifests are read and applied again, and the releases
are installed or upgraded with the post-renderer; step 5 waits on the workloads the plan rendered.
One module run per task. Check mode lives in _service.KubeService (applies and deletes become dry
runs there) and here: Helm is not run, what it would do is reported.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import secrets
from collections import namedtuple

from ansible_collections.daprkit.dapr.plugins.module_utils import _app
from ansible_collections.daprkit.dapr.plugins.module_utils import _control_plane as CP
from ansible_collections.daprkit.dapr.plugins.module_utils import _helm
from ansible_collections.daprkit.dapr.plugins.module_utils import _lease
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _references as R
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V
from ansible_collections.daprkit.dapr.plugins.module_utils import _versions as VS
from ansible_collections.daprkit.dapr.plugins.module_utils import _wiring as W
from ansible_collections.daprkit.dapr.plugins.module_utils._diff import DifferenceTracker, compare, describe, object_key
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import ApiUnreachable, DaprSharedError, InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import Failed, NotRun, each, each_after
from ansible_collections.daprkit.dapr.plugins.module_utils._render import fingerprint, is_token_secret, render_instance

WORKLOAD_KINDS = ('DaemonSet', 'Deployment')


def instances_from_params(params):
    """The instances of a task: the list option, or the instance described by the flat options."""
    if params.get('instances') is not None:
        raws = params['instances']
        if params.get('app_id'):
            raise InvalidInstance(['app_id and instances are mutually exclusive: give one instance or a list'])
    elif params.get('app_id'):
        raws = [dict((k, params.get(k)) for k in SC.FIELDS)]
    else:
        raise InvalidInstance(['app_id is required (or instances, a list of instances)'])
    instances = [SC.apply_defaults(raw) if isinstance(raw, dict) else raw for raw in raws]
    problems = V.validate_instances(instances)
    if problems:
        raise InvalidInstance(problems)
    return instances


# What the run does with an instance, decided once after reading (Plan.kind).
REMOVE = 'remove'                                # state absent: its objects go, and its Helm release
APPLY = 'apply'                                  # method manifests: the module applies every object
APPLY_AFTER_UNINSTALL = 'apply after uninstall'  # a Helm release holds its names: the release goes first
HELM_RELEASE = 'helm release'                    # method helm: the release is installed or upgraded


class Plan(namedtuple('Plan', ('kind', 'release_exists', 'recovery'))):
    """How the run treats one instance: its kind, whether its Helm release exists, and what to do with a
    release an interrupted helm operation left pending (_helm.recovery, or None). Immutable: the steps filter
    on it, none changes it."""
    __slots__ = ()

    @property
    def converges(self):
        """Its objects are planned, applied (or released) and waited on in this call."""
        return self.kind in (APPLY, HELM_RELEASE)

    @property
    def present(self):
        return self.kind != REMOVE

    @property
    def uninstalls(self):
        """Its Helm release is uninstalled in this task."""
        return self.kind == APPLY_AFTER_UNINSTALL or (self.kind == REMOVE and self.release_exists)


def classify(instance, release, helm_owned):
    """The Plan of one instance from what was read: release (_helm.decode_release of its newest revision, or
    None), helm_owned (an object of its names belongs to its Helm release)."""
    exists = release is not None
    if instance['state'] == 'absent':
        return Plan(REMOVE, exists, None)
    recovery = _helm.recovery(release.get('revisions')) if exists and instance['method'] == 'helm' else None
    if (recovery and recovery['action'] == 'uninstall') or (instance['method'] == 'manifests' and helm_owned):
        return Plan(APPLY_AFTER_UNINSTALL, exists, recovery)
    return Plan(HELM_RELEASE if instance['method'] == 'helm' else APPLY, exists, recovery)


def field_of_rejection(message):
    """The instance fields an API server's rejection is about (the schema's api_paths), or None."""
    return SC.field_of_rejection(message)


def _owner(current, app_id):
    """'manifests', 'helm' (the release of this app id), or a sentence naming the foreign owner."""
    meta = current['metadata']
    labels = meta.get('labels') or {}
    annotations = meta.get('annotations') or {}
    if labels.get(N.LABEL_MANAGED_BY) == N.MANAGED_BY and labels.get(N.LABEL_INSTANCE) == app_id:
        return 'manifests'
    if labels.get(N.LABEL_MANAGED_BY) == N.HELM_MANAGED_BY:
        if annotations.get(N.ANNOTATION_HELM_RELEASE) == app_id:
            return 'helm'
        return 'it belongs to Helm release %s' % annotations.get(N.ANNOTATION_HELM_RELEASE, '?')
    if labels.get(N.LABEL_MANAGED_BY):
        return 'it is managed by %s' % labels[N.LABEL_MANAGED_BY]
    return 'it was not created by daprkit.dapr (a sidecar app with the same app id, or created by hand)'


class InstanceRun(object):
    """One instance through the steps, with what was read and what was done to it."""

    def __init__(self, instance):
        self.instance = instance
        self.key = N.instance_key(instance)
        self.method = instance['method']
        self.control_plane = None
        self.version = ''
        self.namespace_exists = False
        self.namespace_new = False  # created by this run: empty, so nothing in it needs reading
        self.desired = []          # everything rendered for the instance's backend
        self.module_objects = []   # what this module applies (helm: the token Secrets only)
        self.before = {}
        self.after = {}
        self.owned = []            # what the manifests backend owns now
        self.stale = []
        self.release = None           # helm: the latest revision Helm keeps (_helm.decode_release)
        self.plan = None              # Plan: decided once, at the end of the read
        self.release_actions = []     # helm: what this call did to the release itself (a rollback)
        self.helm = None
        self.tracker = DifferenceTracker()
        self.planned = DifferenceTracker()  # helm: the release's objects as the post-renderer will make them
        self.readiness = None
        self.app = None  # _app.presence: whether the app behind remote_host is there for each daprd pod
        self.token_value = None       # the API token, for its copies in other namespaces (never returned)
        self.token_hash = None
        self.workloads = {}           # wiring: (kind, namespace, name) -> the apps' workloads, as read
        self.copies = {}              # wiring: namespace -> this instance's token copy there
        self.wiring = []              # wiring: WiringStep of what to apply or delete, in order

    def where(self):
        return 'instance %s' % self.key

    def may_hold_objects(self):
        """Whether the namespace can hold objects already: it exists and this run did not just create it."""
        return self.namespace_exists and not self.namespace_new

    def readiness_target(self):
        """(workload, labels of its pods): what readiness is read from."""
        return self.workload(), N.selector_labels(self.instance['app_id'], self.method)

    def workload(self):
        return next((o for o in self.desired if o['kind'] in WORKLOAD_KINDS), None)


class NoHelm(object):
    """A runner without a helm host: asking it for Helm is a bug."""

    def storage_kind(self):
        return 'Secret'

    def check(self, *args):
        raise DaprSharedError('internal error: Helm is needed, but this runner has no helm host')

    prepare = rollback = uninstall = upgrade = check


class WiringStep(object):
    """One wiring action on one object: wire an app, unwire it, copy the token into an app's namespace, or
    delete a copy no app uses any more."""

    def __init__(self, action, obj, before, field=None):
        self.action = action   # 'wire' | 'unwire' | 'copy' | 'drop'
        self.obj = obj         # what is applied (or deleted)
        self.before = before
        self.field = field     # apps[i], to name in messages
        self.after = None      # the server's answer to the dry run, then to the apply
        self.result = None     # created | updated | unchanged | deleted, once done (or planned, in check mode)

    def where(self, run):
        return '%s: %s' % (run.where(), self.field) if self.field else run.where()


class Runner(object):
    def __init__(self, module, service, chart=None, helm=None):
        self.module = module
        self.service = service
        self.chart = chart or {}
        self.helm = helm or NoHelm()
        self._control_planes = {}
        self._storage_kind = None
        self.leases = None            # _lease.NamespaceLeases this run holds (not in check mode)

    # -- step 2: read -------------------------------------------------------------------------
    def _resolve_token(self, run, field):
        """(value to store or None, hash for the pod annotation). A generated token is kept across runs."""
        instance = run.instance
        ref = N.token_secret_ref(instance, field)
        if ref is None:
            return None, None
        token = instance[field]
        if token['value']:
            return token['value'], fingerprint(token['value'])
        if not run.namespace_exists:
            return 'planned', 'planned'
        # The current token is kept (idempotence) and registered as a no_log value.
        current = None if run.namespace_new else self.service.read_secret_value(instance['namespace'], ref[0], ref[1])
        if token['secret_name']:
            if current is None:
                raise DaprSharedError('%s: %s.secret_name: Secret %s/%s has no key %r; create it first or let the '
                                      'module generate a token' % (run.where(), field, instance['namespace'], ref[0], ref[1]))
            self.module.no_log_values.add(current)
            if field == 'api_token':
                run.token_value = current  # its copies in the apps' namespaces hold it too
            return None, fingerprint(current)
        value = current if current else secrets.token_urlsafe(48)
        self.module.no_log_values.add(value)
        return value, fingerprint(value)

    def namespaces(self, runs, existing=None):
        """Whether each instance's namespace exists; with create_namespaces, the missing ones of present
        instances are created first (in check mode only reported), so the dry runs can check every object."""
        existing = existing if existing is not None else self.namespaces_existing(runs)
        created = set()
        if self.module.params.get('create_namespaces'):
            first_of = {}
            for run in runs:
                if run.instance['state'] == 'present':
                    first_of.setdefault(run.instance['namespace'], run)
            missing = [ns for ns in sorted(first_of) if not existing[ns]]
            for ns, answer in zip(missing, each(self._create_namespace, missing)):
                first_of[ns].tracker.record('created', None, answer)
            if not self.module.check_mode:
                created.update(missing)
        for run in runs:
            run.namespace_new = run.instance['namespace'] in created
            run.namespace_exists = existing[run.instance['namespace']] or run.namespace_new

    def namespaces_existing(self, runs):
        namespaces = sorted(set(run.instance['namespace'] for run in runs))
        return dict(zip(namespaces, each(self.service.namespace_exists, namespaces)))

    def _create_namespace(self, name):
        return self.service.apply(dict(apiVersion='v1', kind='Namespace', metadata=dict(name=name)))

    def read(self, runs, again=False):
        """Everything the later steps compare against. Each kind of read goes out for every instance together.
        The control plane, and Helm (program, version, storage driver), are checked before the first change: a
        namespace creation. again: the instances whose release was just uninstalled, read once more (what was
        checked and warned about the first time is not again)."""
        if not again:  # what the instances name must exist: refused here, before anything changes
            R.refuse_missing([(run.where(), run.instance) for run in runs], self.service, self.module.warn)
        # the control plane first: its version decides whether an instance may run at all
        self._read_control_planes([run for run in runs if run.instance['state'] != 'absent'],
                                  check_skew=not again)
        # the apps the instances wire (and wired before): a listed app that does not exist is refused here
        self._read_wiring(runs)
        existing = self.namespaces_existing(runs)
        if any(run.method == 'helm' for run in runs):
            self.helm.prepare(self.module.params)
        self.namespaces(runs, existing)
        if not again:
            self._take_leases(runs)
        here = [run for run in runs if existing[run.instance['namespace']]]
        for run, release in zip(here, each(self._release, here)):
            run.release = release
        if any(run.release is not None for run in runs):
            self.helm.prepare(self.module.params)  # a release to uninstall (removal, switch to manifests) needs Helm
        owned, listed = {}, {}
        for namespace in sorted(set(run.instance['namespace'] for run in here)):
            for obj in self.service.managed_objects(namespace):
                app_id = (obj['metadata'].get('labels') or {}).get(N.LABEL_INSTANCE)
                owned.setdefault((namespace, app_id), []).append(obj)
                listed[object_key(obj)] = obj
        present = []
        for run in runs:
            run.owned = owned.get((run.instance['namespace'], run.instance['app_id']), [])
            if run.instance['state'] == 'absent':
                # workloads first, so that pods stop before their Service and credentials go
                run.stale = sorted(run.owned, key=lambda o: 0 if o['kind'] in WORKLOAD_KINDS else 1)
                continue
            if not run.namespace_exists and not self.module.check_mode:
                raise DaprSharedError('%s: namespace: %s does not exist; create it first or set create_namespaces'
                                      % (run.where(), run.instance['namespace']))
            present.append(run)
        for run, tokens in zip(present, each(self._tokens, present)):
            run.desired = render_instance(run.instance, run.control_plane, run.version, tokens)
            run.module_objects = run.desired if run.method == 'manifests' else [
                o for o in run.desired if is_token_secret(o)]
        # What the lists above hold is not read again; an object they miss may still exist, made by hand or
        # by Helm, and is read on its own (a new namespace holds none of them).
        pairs = []
        for run in (run for run in present if run.may_hold_objects()):
            for obj in run.desired:
                if object_key(obj) in listed:
                    run.before[object_key(obj)] = listed[object_key(obj)]
                else:
                    pairs.append((run, obj))
        for (run, obj), current in zip(pairs, each(self._current, pairs)):
            run.before[object_key(obj)] = current
        helm_owned = set()
        for run in present:
            if self._check_owners(run):
                helm_owned.add(run.key)
            wanted = set(object_key(o) for o in run.module_objects)
            run.stale = [o for o in run.owned if object_key(o) not in wanted]
        for run in runs:
            run.plan = classify(run.instance, run.release, run.key in helm_owned)
            self._plan_wiring(run)

    def storage_kind(self):
        """Where Helm keeps releases (HELM_DRIVER). A task with no Helm in it reads Secrets, Helm's default, when
        the driver is one Helm can only be refused for (a release found there is checked again)."""
        if self._storage_kind is None:
            try:
                self._storage_kind = self.helm.storage_kind()
            except DaprSharedError:
                self._storage_kind = 'Secret'
        return self._storage_kind

    def _release(self, run):
        return self.service.helm_release(run.instance['namespace'], N.names(run.instance['app_id'], 'helm')['helm_release'],
                                         self.storage_kind())

    def _read_control_planes(self, runs, check_skew=True):
        """The control plane of every instance, and the daprd version each runs; refuses (all instances at once)
        a daprd version Dapr does not support with its control plane. The wait step reads again without
        checking: the apply step checked and warned."""
        namespaces = sorted(set(run.instance['control_plane_namespace'] for run in runs) - set(self._control_planes))
        self._control_planes.update(zip(namespaces, each(lambda ns: CP.read(self.service, ns), namespaces)))
        problems = []
        for run in runs:
            instance = run.instance
            cp = self._control_planes[instance['control_plane_namespace']]
            try:
                cp = cp._replace(trust_domain=instance['control_plane_trust_domain'] or cp.trust_domain,
                                 mtls=CP.resolve_mtls(instance['mtls'], cp.mtls))
            except ValueError as exc:
                raise InvalidInstance(['%s: %s' % (run.where(), exc)])
            run.control_plane = cp
            run.version = instance['daprd_version'] or cp.version
            if not run.version:
                raise InvalidInstance(['%s: daprd_version: the control plane in %s reports no version; set '
                                       'daprd_version' % (run.where(), cp.namespace)])
            if instance['daprd_version'] and check_skew:
                problem, warning = VS.daprd_skew(run.where(), instance['daprd_version'], cp.version, cp.namespace,
                                                 instance['allow_version_skew'])
                if problem:
                    problems.append(problem)
                if warning:
                    self.module.warn(warning)
        if problems:
            raise InvalidInstance(problems)

    def _tokens(self, run):
        tokens = dict((field, self._resolve_token(run, field)) for field, _e, _s, _a in N.TOKEN_FIELDS)
        value, digest = tokens['api_token']
        if value is not None:
            run.token_value, digest = value, fingerprint(value)  # as render_instance annotates the daprd pods
        run.token_hash = digest
        return tokens

    def _current(self, pair):
        obj = pair[1]
        return self.service.get(obj['apiVersion'], obj['kind'], obj['metadata']['name'], obj['metadata']['namespace'])

    def _check_owners(self, run):
        """Refuses to take over an object of another owner; True when the instance's Helm release holds one of
        its objects and its method is manifests (a switch of backend: the release goes first)."""
        helm_owned = False
        for obj in run.desired:
            current = run.before.get(object_key(obj))
            if current is None:
                continue
            owner = _owner(current, run.instance['app_id'])
            if owner == 'helm' and run.method == 'manifests':
                helm_owned = True
            elif owner not in ('manifests', 'helm'):
                raise DaprSharedError('%s: %s already exists and %s; refusing to take it over. Remove it, or choose '
                                      'another app_id or namespace.' % (run.where(), describe(obj), owner))
        return helm_owned

    # -- wiring: the apps of each instance (_wiring.py) -----------------------------------------
    def _read_wiring(self, runs):
        """The Deployments and StatefulSets, and the token copies, of every namespace an instance may have wired
        apps in: one list per kind and namespace, whatever the number of instances and apps there."""
        required = set()
        for run in runs:
            if run.instance['state'] == 'present':
                required.update(W.app_namespace(run.instance, app) for app in run.instance['apps'])
        namespaces = sorted(set(ns for run in runs for ns in W.namespaces(run.instance)))
        reads = [(ns, kind) for ns in namespaces for kind in W.KINDS + ('Secret',)]
        listed = dict((ns, ([], [])) for ns in namespaces)
        for (ns, kind), answer in zip(reads, each(self._list_wiring, reads, keep_errors=True)):
            if isinstance(answer, Failed):
                # without apps there, nothing may have been wired there by a token that cannot even list
                if ns in required or not _forbidden(answer.error):
                    raise answer.error
                answer = []
            listed[ns][1 if kind == 'Secret' else 0].extend(answer)
        problems = []
        for run in runs:
            instance = run.instance
            manager = W.manager_of(instance)
            for ns in W.namespaces(instance):
                workloads, copies = listed[ns]
                for workload in workloads:
                    if W.wired_by(workload, manager):
                        run.workloads[W.key_of(workload)] = workload
                for secret in copies:
                    if W.is_copy_of(secret, instance['namespace'], instance['app_id']):
                        run.copies[ns] = secret
            if instance['state'] != 'present':
                continue
            for index, app in enumerate(instance['apps']):
                ns = W.app_namespace(instance, app)
                key = W.workload_key(app['kind'], ns, app['name'])
                current = next((w for w in listed[ns][0] if W.key_of(w) == key), None)
                if current is None:
                    problems.append('%s: apps[%d]: %s %s/%s does not exist; create it before wiring it, or remove it '
                                    'from apps' % (run.where(), index, app['kind'], ns, app['name']))
                    continue
                run.workloads[key] = current
                missing = [c for c in app['containers'] if c not in W.container_names(current)]
                if missing:
                    problems.append('%s: apps[%d].containers: %s %s/%s has no container %s (it has %s)' % (
                        run.where(), index, app['kind'], ns, app['name'], ', '.join(missing),
                        ', '.join(W.container_names(current))))
        if problems:
            raise InvalidInstance(problems)

    def _list_wiring(self, read):
        """One kind in one namespace: the workloads apps may be, or the token copies (by their label)."""
        namespace, kind = read
        if kind == 'Secret':
            items = self.service.list('v1', kind, namespace=namespace, label_selector=W.COPY_SELECTOR)
        else:
            items = self.service.list(W.API_VERSION, kind, namespace=namespace)
        for item in items:
            item.setdefault('apiVersion', 'v1' if kind == 'Secret' else W.API_VERSION)
            item.setdefault('kind', kind)
        return items

    def _plan_wiring(self, run):
        """What wiring applies for one instance: copies of the token first, then each app; then the apps no
        longer listed (or all, the instance removed) lose what was applied, and unused copies go."""
        instance = run.instance
        present = instance['state'] == 'present'
        want = W.expected(instance, run.token_hash)
        wired = set()
        if present:
            copies = sorted(set(W.app_namespace(instance, app) for app in instance['apps']) - set([instance['namespace']]))
            for ns in copies if want['token_ref'] else []:
                run.wiring.append(WiringStep('copy', W.token_copy(want, ns, run.token_value), run.copies.get(ns),
                                             'apps (the token in namespace %s)' % ns))
            for index, app in enumerate(instance['apps']):
                ns = W.app_namespace(instance, app)
                key = W.workload_key(app['kind'], ns, app['name'])
                current = run.workloads[key]
                wired.add(key)
                containers = app['containers'] or W.container_names(current)
                run.wiring.append(WiringStep('wire', W.patch(app['kind'], ns, app['name'], containers, want), current,
                                             'apps[%d]' % index))
        else:
            copies = []
        for key, workload in sorted(run.workloads.items()):
            if key not in wired:
                run.wiring.append(WiringStep('unwire', W.empty_intent(workload), workload))
        for ns, secret in sorted(run.copies.items()):
            if ns not in copies or not want['token_ref']:
                run.wiring.append(WiringStep('drop', secret, secret))

    def _wiring_apply(self, run, step, dry_run=False):
        return self.service.apply(step.obj, dry_run=dry_run, field_manager=W.manager_of(run.instance), force=False)

    def _dry_run_wiring(self, runs):
        """The server checks every wiring change too (a field another manager set to another value is a
        conflict, refused, not taken over); returns the problems."""
        pairs = [(run, step) for run in runs for step in run.wiring if step.action != 'drop']
        problems = []
        for (run, step), answer in zip(pairs, each(lambda pair: self._wiring_apply(pair[0], pair[1], dry_run=True),
                                                   pairs, keep_errors=True)):
            if not isinstance(answer, Failed):
                step.after = answer
            elif isinstance(answer.error, DaprSharedError) and not isinstance(answer.error, ApiUnreachable):
                hint = ''
                if answer.error.details.get('status') == 409:
                    hint = ('. Another field manager set these fields to other values: remove them from its manifest, '
                            'or leave this app out of apps and wire it by hand (see the wiring guide)')
                problems.append('%s: the API server refuses the wiring of %s: %s%s'
                                % (step.where(run), describe(step.obj), answer.error.msg, hint))
            else:
                raise answer.error
        return problems

    def _wire(self, runs):
        """Apply what the dry runs showed to differ: copies of the token before the apps that read them."""
        failures = []
        for actions in (('copy',), ('wire', 'unwire')):
            steps = [(run, step) for run in runs for step in run.wiring if step.action in actions]
            todo = []
            for run, step in steps:
                if not self._wiring_changes(run, step):
                    self._record_wiring(run, step)
                elif self.module.check_mode:
                    self._record_wiring(run, step)
                else:
                    todo.append((run, step))
            for (run, step), after in zip(todo, each(lambda pair: self._wiring_apply(*pair), todo, keep_errors=True)):
                if isinstance(after, Failed):
                    failures.append(after.error)
                else:
                    step.after = after
                    self._record_wiring(run, step)
            if failures:
                raise failures[0]
        drops = [(run, step) for run in runs for step in run.wiring if step.action == 'drop']
        failures = self._delete([(run, step.obj) for run, step in drops])
        if failures:
            raise failures[0]
        for _run, step in drops:
            step.result = 'deleted'

    @staticmethod
    def _wiring_changes(run, step):
        if step.action == 'copy':
            return compare(step.before, step.after) != 'unchanged'
        return W.changes(step.before, step.after, W.manager_of(run.instance))

    def _record_wiring(self, run, step):
        """Into the instance's tracker (changed, objects, diff): a workload as far as wiring goes (W.project)."""
        if step.action == 'copy':
            action = compare(step.before, step.after)
        else:
            action = 'updated' if self._wiring_changes(run, step) else 'unchanged'
        step.result = action
        run.tracker.record(action, W.project(step.before), W.project(step.after))

    # -- step 3: dry run ----------------------------------------------------------------------
    def dry_run(self, runs):
        """The server checks every object of every instance; all its rejections are reported together."""
        pairs = []
        for run in runs:
            if not run.plan.converges or not run.namespace_exists or run.plan.recovery:
                # nothing to ask the server yet: a missing namespace plans creations, a release goes first; an
                # interrupted release's live objects are half the failed revision's, merged with ours they may be
                # invalid (two probe handlers): Helm checks the objects after the rollback
                for obj in (run.desired if run.plan.present else []):
                    run.after[object_key(obj)] = obj
                continue
            pairs.extend((run, obj) for obj in run.desired)
        problems = []
        for (run, obj), answer in zip(pairs, each(lambda pair: self.service.apply(pair[1], dry_run=True), pairs,
                                                  keep_errors=True)):
            if not isinstance(answer, Failed):
                run.after[object_key(obj)] = answer
            elif isinstance(answer.error, DaprSharedError) and not isinstance(answer.error, ApiUnreachable):
                field = field_of_rejection(answer.error.msg)
                problems.append('%s: %sthe API server refuses %s: %s' % (
                    run.where(), '%s: ' % field if field else '', describe(obj), answer.error.msg))
            else:
                raise answer.error
        problems += self._dry_run_wiring(runs)
        if problems:
            raise InvalidInstance(problems)

    # -- step 4: apply ------------------------------------------------------------------------
    def recover(self, runs):
        """A release an interrupted helm operation left pending: rolled back to its last deployed revision
        (one that never deployed goes first, as in a switch of backend), said in a warning and in its objects.
        In check mode only said."""
        for run in (run for run in runs if run.plan.recovery):
            recovery = run.plan.recovery
            self.module.warn(_helm.recovery_message(run.key, recovery))
            if recovery['action'] != 'rollback':
                continue
            release = N.names(run.instance['app_id'], 'helm')['helm_release']
            if not self.module.check_mode:
                self.helm.rollback(self.module.params, release, run.instance['namespace'], recovery['revision'])
                run.release = self._release(run)
            run.release_actions.append(dict(object='Helm release %s' % run.key, action='rolled back',
                                            revision=recovery['revision'], was=recovery['pending']))

    def apply(self, runs):
        """Credentials, configuration and Services first, then the workloads that use them, then pruning."""
        self.recover(runs)
        removals = [(run, obj) for run in runs if run.plan.kind == REMOVE for obj in run.stale]
        changes = []
        for run in (run for run in runs if run.plan.converges):
            for obj in run.desired:
                key = object_key(obj)
                before, after = run.before.get(key), run.after.get(key)
                action = compare(before, after)
                if obj not in run.module_objects:
                    run.planned.record(action, before, after)
                elif action == 'unchanged' or self.module.check_mode:
                    run.tracker.record(action, before, after)
                else:
                    changes.append((run, obj, before, action))
        # the apps of a removed instance stop using it before its token Secret and Service go
        self._wire([run for run in runs if run.plan.kind == REMOVE])
        failures = []
        for workloads in (False, True):
            failures += self._delete([(r, o) for r, o in removals if (o['kind'] in WORKLOAD_KINDS) != workloads])
        # A workload is applied only after everything its instance uses is in place, and as soon as it is:
        # its pods start while the other instances' objects are still being applied.
        batch = sorted(changes, key=lambda c: c[1]['kind'] in WORKLOAD_KINDS) if not failures else []
        needs = [[j for j, other in enumerate(batch) if other[0] is change[0] and j < i]
                 if change[1]['kind'] in WORKLOAD_KINDS else [] for i, change in enumerate(batch)]
        for (run, obj, before, action), after in zip(batch, each_after(lambda c: self.service.apply(c[1]), batch,
                                                                       needs)):
            if not isinstance(after, Failed):
                run.tracker.record(action, before, after)
            elif not isinstance(after.error, NotRun):
                failures.append(after.error)
        if not failures:
            failures += self._delete([(run, obj) for run in runs if run.plan.present for obj in run.stale])
        if failures:
            raise failures[0]
        # the apps last, once the token Secret and the Service they use are in place (the same for both backends)
        self._wire([run for run in runs if run.plan.present])
        for run in (run for run in runs if run.plan.kind == HELM_RELEASE):
            run.helm = _helm.release(run.instance, run.control_plane, run.version, run.desired, self.chart)
            if not run.planned.changed and _helm.release_unchanged(run.release, run.helm['args']):
                # nothing for Helm to do: it is not run
                run.helm = None
                run.release_actions.append(dict(object='Helm release %s' % run.key, action='unchanged'))

    def _delete(self, pairs):
        failures = []
        for (run, obj), outcome in zip(pairs, each(lambda pair: self.service.delete(pair[1]), pairs,
                                                   keep_errors=True)):
            if isinstance(outcome, Failed):
                failures.append(outcome.error)
            else:
                run.tracker.record('deleted', obj, None)
        return failures

    # -- step 5: wait -------------------------------------------------------------------------
    def wait_gone(self, runs, timeout):
        gone = [o for run in runs for o in run.stale]
        if gone:
            self.service.wait_gone(gone, timeout)

    def wait(self, runs, timeout):
        present = [run for run in runs if run.plan.converges]
        workloads = [run.readiness_target() for run in present]
        nowhere = [run.instance['allow_no_nodes'] for run in present]
        for run, summary in zip(present, self.service.wait_ready(workloads, timeout, nowhere) if workloads else []):
            run.readiness = summary

    def _read_readiness(self, runs):
        unread = []
        for run in (run for run in runs if run.readiness is None):
            if not run.plan.converges or not run.namespace_exists:
                run.readiness = dict(ready=False)
            else:
                unread.append(run)
        answers = self.service.readiness_of([run.readiness_target() for run in unread]) if unread else []
        for run, (summary, _current, _pods) in zip(unread, answers):
            run.readiness = summary

    def _read_apps(self, runs):
        """Whether each present instance's app is there. Never waited on: Dapr Shared serves apps that come and go."""
        present = [run for run in runs if run.plan.present and run.namespace_exists]
        targets = [_app.target_of(run.instance['remote_host'], run.instance['remote_port'], run.instance['namespace'],
                                  run.instance['cluster_domain']) for run in present]
        apps = each(lambda pair: _app.read_presence(self.service, pair[0], _app.daprd_pods(pair[1].readiness)),
                    list(zip(targets, present)))
        for run, target, app in zip(present, targets, apps):
            run.app = app
            warning = _app.absence_warning(run.where(), target, app) if (run.readiness or {}).get('ready') else None
            if warning:
                self.module.warn(warning)

    # -- step 4b: Helm ---------------------------------------------------------------------------
    def uninstall_releases(self, runs):
        """The releases that go (instances removed, switched to manifests, or never deployed); in check mode only
        reported."""
        for run in (run for run in runs if run.plan.uninstalls):
            if not self.module.check_mode:
                self._helm(run, self.helm.uninstall, self.module.params, N.names(run.instance['app_id'], 'helm')[
                    'helm_release'], run.instance['namespace'], self.module.params['wait_timeout'])
            action = dict(object='Helm release %s' % run.key, action='uninstalled')
            if run.plan.recovery:
                # an interrupted install that never deployed: the module warned; the release is installed again
                action['was'] = run.plan.recovery['pending']
            run.release_actions.append(action)

    def upgrade_releases(self, runs):
        """helm upgrade --install of every release that differs, through the post-renderer; in check mode only
        reported (the dry runs already checked every object the post-renderer makes)."""
        for run in (run for run in runs if run.helm):
            if not self.module.check_mode:
                self._helm(run, self.helm.upgrade, self.module.params, run.key, run.helm)
            run.release_actions.append(dict(object='Helm release %s' % run.key,
                                            action='upgraded' if run.plan.release_exists else 'installed'))

    def _helm(self, run, command, *args):
        try:
            command(*args)
        except DaprSharedError as exc:
            exc.msg = '%s: %s' % (run.where(), exc.msg)
            raise

    def apply_again(self, runs):
        """The instances whose release was just uninstalled (switched to manifests, or a release that never
        deployed), read, checked and applied once more: now nothing of the release holds their names. Each keeps
        what was done to its release."""
        again = [InstanceRun(run.instance) for run in runs if run.plan.kind == APPLY_AFTER_UNINSTALL]
        if not again or self.module.check_mode:
            return runs
        self.read(again, again=True)
        self.dry_run(again)
        self.apply(again)
        done = dict((run.key, run) for run in again)
        for run in again:
            run.release_actions = [a for r in runs if r.key == run.key for a in r.release_actions]
        return [done.get(run.key, run) for run in runs]

    # -- the steps together -------------------------------------------------------------------
    def run(self):
        instances = instances_from_params(self.module.params)
        for instance in instances:
            # a token given in the list option has no no_log of its own: hide it from every output
            for field, _e, _s, _a in N.TOKEN_FIELDS:
                if instance[field]['value']:
                    self.module.no_log_values.add(instance[field]['value'])
        runs = [InstanceRun(i) for i in instances]
        try:
            result = self._converge(runs)
        finally:
            if self.leases is not None:
                self.leases.release()
        if self.leases is not None and self.leases.summary():
            result['lease'] = self.leases.summary()
        return result

    def _take_leases(self, runs):
        """The Leases that keep other runs out of these instances' namespaces until this run ends (_lease): taken
        after the checks that need no change and the creation of missing namespaces (a Lease lives in its
        namespace), before any instance's objects, tokens or release are read. Check mode takes none."""
        if self.module.check_mode:
            return
        namespaces = [run.instance['namespace'] for run in runs if run.namespace_exists]
        self.leases = _lease.NamespaceLeases(self.service.lease_store(), namespaces,
                                             self.module.params.get('lease_wait_timeout') or 0)
        self.leases.__enter__()

    def _converge(self, runs):
        self.read(runs)
        for run in runs:
            for warning in (token_off_warning(run), token_on_warning(run)):
                if warning:
                    self.module.warn(warning)
        self.dry_run(runs)
        waits = self.module.params.get('wait') and not self.module.check_mode
        timeout = self.module.params['wait_timeout']
        try:
            self.apply(runs)
            if waits:
                # before a release takes over their names, the objects of the other backend must be gone
                self.wait_gone(runs, timeout)
            self.uninstall_releases(runs)
            runs = self.apply_again(runs)
            self.upgrade_releases(runs)
            if waits:
                # Helm deletes a removed release's workload in the background: its pods are still stopping
                gone = [run for run in runs if run.plan.kind == REMOVE and run.namespace_exists]
                if gone:
                    self.service.wait_pods_gone([(run.instance['namespace'], N.label_selector(
                        N.selector_labels(run.instance['app_id'], method))) for run in gone
                        for method in ('manifests', 'helm')], timeout)
                self.wait(runs, timeout)  # the workloads the plan rendered: nothing is read or rendered again
        except DaprSharedError as exc:
            # Objects were applied: say so, and what, with the failure.
            exc.details.update(changed=any(self.result(r)['changed'] for r in runs),
                               instances=[self.result(r) for r in runs])
            raise
        self._read_readiness(runs)
        self._read_apps(runs)
        return self.results(runs)

    # -- results ------------------------------------------------------------------------------
    def result(self, run):
        instance = run.instance
        entry = dict(key=run.key, app_id=instance['app_id'], namespace=instance['namespace'], method=run.method,
                     strategy=instance['strategy'], state=instance['state'],
                     changed=run.tracker.changed or any(a['action'] != 'unchanged' for a in run.release_actions),
                     objects=run.tracker.actions() + run.planned.actions() + run.release_actions,
                     readiness=run.readiness, app=run.app)
        if run.wiring:
            entry['apps'] = [dict(object=describe(step.obj), step=step.action, field=step.field,
                                  action=step.result) for step in run.wiring]
        if not run.plan.present:
            return entry
        endpoints = N.endpoints(instance['app_id'], instance['namespace'], instance['cluster_domain'])
        ref = N.token_secret_ref(instance)
        endpoints['api_token'] = dict(secret_name=ref[0], secret_key=ref[1], env=dict(DAPR_API_TOKEN=dict(
            secretKeyRef=dict(name=ref[0], key=ref[1])))) if ref else None
        endpoints['ready'] = bool((run.readiness or {}).get('ready'))
        entry.update(endpoints=endpoints, api_token=endpoints['api_token'],
                     control_plane=run.control_plane.as_result() if run.control_plane else None)
        app_ref = N.token_secret_ref(instance, 'app_token')
        if app_ref:
            entry['app_token'] = dict(secret_name=app_ref[0], secret_key=app_ref[1])
        if self.module._diff:
            diff = run.tracker.diff()
            for side, objects in run.planned.diff().items():
                diff[side].update(objects)
            entry['diff'] = diff
        return entry

    def results(self, runs):
        """The task's result, built once for every backend."""
        entries = [self.result(run) for run in runs]
        result = dict(changed=any(e['changed'] for e in entries), instances=entries)
        if self.module.params.get('instances') is None and entries:
            # one instance given by the flat options: its result at the top, as before the list option existed
            for key in ('objects', 'readiness', 'app', 'endpoints', 'api_token', 'app_token', 'control_plane', 'diff'):
                if key in entries[0]:
                    result[key] = entries[0][key]
        return result


def _forbidden(error):
    return isinstance(error, DaprSharedError) and error.details.get('status') == 403


def token_off_warning(run):
    """The warning a run prints for a present instance without an API token."""
    instance = run.instance
    if instance['state'] != 'present' or instance['api_token']['enabled']:
        return None
    if instance['network_policy']['enabled']:
        guard = ('its NetworkPolicy is then the only guard, and only where the cluster\'s network plugin enforces '
                 'NetworkPolicy')
    else:
        guard = 'network_policy is disabled too: nothing guards them'
    return ('%s: api_token.enabled is false: daprd serves the Dapr APIs of app id %s (state, secrets, invocation of '
            'other apps) to any pod that reaches its Service without a token; %s.'
            % (run.where(), instance['app_id'], guard))


def token_on_warning(run):
    """The warning a run prints when it turns the API token on for daprd pods that run without one: each of
    their clients without the token is refused (401) by every new pod until it restarts with the token."""
    instance = run.instance
    workload = run.workload()
    if instance['state'] != 'present' or not instance['api_token']['enabled'] or workload is None:
        return None
    current = run.before.get(object_key(workload))
    if current is None:
        return None
    annotations = ((current.get('spec') or {}).get('template') or {}).get('metadata', {}).get('annotations') or {}
    if N.TOKEN_FIELDS[0][3] in annotations:
        return None
    return ('%s: api_token.enabled turns the token on: the new daprd pods refuse (401) every call of app id %s '
            'without it, until each client restarts with the token. Give the clients the token first, from a Secret '
            'of your own named in api_token.secret_name (see the guide from_chart, The API token and your clients).'
            % (run.where(), instance['app_id']))
