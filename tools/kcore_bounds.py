#!/usr/bin/env python
"""The kubernetes.core versions galaxy.yml claims, tested: its lower bound and the newest one, and, as a
control that the test can fail, the last version below the bound. Each runs on the ansible-core of the
`ansible` release that bundles it: the lowest and the one below on .venv's, the newest on .venv-newest's
(ansible-core 2.21, Python 3.13), as users get them.

Every kubernetes.core module call the collection makes (the roles' tasks and the playbooks' module_defaults)
is run with the same option names against each version,
with an unreachable API server: kubernetes.core validates its arguments before it connects, so an option
that version lacks fails as "Unsupported parameters" while a valid call fails later, on the connection.
Our own modules (which import kubernetes.core's connection spec and client) and their documentation
(our own doc fragment) are loaded the same way, and the helm runner of kubernetes.core's module_utils that
the helm backend runs every helm command through is checked in each version's source (HELM_RUNNER).

The versions come from the `ansible` package on PyPI, which bundles kubernetes.core (galaxy.ansible.com
may be unreachable); the wheels and the extracted collections are kept in ~/.cache/daprkit/.

Usage: tools/kcore_bounds.py   (exit 1 and name every problem)
"""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
sys.path.insert(0, os.path.join(ROOT, 'collections'))
CACHE = os.path.join(os.environ.get('DAPRKIT_CACHE', os.path.expanduser('~/.cache/daprkit')))
# ansible releases on PyPI and the kubernetes.core each bundles (checked against the wheel's MANIFEST.json).
# The lowest claimed version is taken from here; the newest is the last entry, the ansible pinned in
# test-requirements-newest.txt (already in .venv-newest, checked to bundle it). No ansible release bundles
# kubernetes.core 6.0.x.
BUNDLES = (('11.0.0', '5.0.0'), ('11.13.0', '5.4.1'), ('12.0.0', '6.1.0'), ('14.5.0', '6.6.0'))
NEWEST_VENV = os.path.join(ROOT, '.venv-newest')
ARGUMENT_ERRORS = re.compile(r'Unsupported parameters|missing required arguments|is of type|must be one of|'
                             r'mutually exclusive|required together|ImportError|ModuleNotFoundError|'
                             r'cannot import|No module named|unknown doc_fragment', re.I)
# how a call fails once its arguments are accepted: the API server is unreachable, helm is absent
PAST_VALIDATION = re.compile(r'Max retries exceeded|cannot reach the Kubernetes API|Connection refused|'
                             r'Could not create API client|Error executing command')
UNREACHABLE_API = dict(K8S_AUTH_HOST='https://127.0.0.1:9', K8S_AUTH_API_KEY='not-a-token',
                       K8S_AUTH_VERIFY_SSL='false')


def _version(text):
    return tuple(int(part) for part in text.split('.'))


def claimed():
    """galaxy.yml's (lower bound, upper bound or None) for kubernetes.core."""
    spec = yaml.safe_load(open(os.path.join(ROOT, 'galaxy.yml')))['dependencies']['kubernetes.core']
    lower, upper = re.search(r'>=\s*([0-9.]+)', spec), re.search(r'<\s*([0-9.]+)', spec)
    if not lower:
        raise SystemExit('kcore-bounds: galaxy.yml gives kubernetes.core no lower bound: %r' % spec)
    return lower.group(1), upper.group(1) if upper else None


def other_bounds(bound):
    """Files that install kubernetes.core for users (AWX project sync, the execution environment) must not claim
    a lower bound other than galaxy.yml's."""
    problems = []
    sources = (('collections/requirements.yml', lambda d: d['collections']),
               ('docs/execution-environment/execution-environment.yml',
                lambda d: d['dependencies']['galaxy']['collections']))
    for path, entries in sources:
        if not os.path.exists(os.path.join(ROOT, path)):
            continue
        for entry in entries(yaml.safe_load(open(os.path.join(ROOT, path)))):
            if entry.get('name') == 'kubernetes.core':
                match = re.search(r'>=\s*([0-9.]+)', str(entry.get('version', '')))
                if not match or match.group(1) != bound:
                    problems.append('%s asks for kubernetes.core %r; galaxy.yml claims >= %s'
                                    % (path, entry.get('version'), bound))
    return problems


def core_of(env):
    """'ansible-core X.Y.Z' of the ansible-playbook a run's environment finds."""
    out = subprocess.run(['ansible', '--version'], env=env, capture_output=True, text=True, check=False).stdout
    match = re.search(r'core ([0-9.]+)', out)
    return 'ansible-core %s' % (match.group(1) if match else '?')


def version_of(collections_dir):
    manifest = os.path.join(collections_dir, 'ansible_collections', 'kubernetes', 'core', 'MANIFEST.json')
    return json.load(open(manifest))['collection_info']['version']


def bundled(ansible_version):
    """A collections dir holding only the kubernetes.core that ansible==ansible_version bundles."""
    dest = os.path.join(CACHE, 'kubernetes.core', 'ansible-%s' % ansible_version)
    if os.path.exists(os.path.join(dest, 'ansible_collections', 'kubernetes', 'core', 'MANIFEST.json')):
        return dest
    wheels = os.path.join(CACHE, 'ansible-dist')
    wheel = os.path.join(wheels, 'ansible-%s-py3-none-any.whl' % ansible_version)
    if not os.path.exists(wheel):
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--quiet', '--disable-pip-version-check',
                        '--no-deps', '--only-binary=:all:', 'ansible==%s' % ansible_version, '-d', wheels],
                       check=True)
    partial = dest + '.partial'
    shutil.rmtree(partial, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith('ansible_collections/kubernetes/core/'):
                archive.extract(name, partial)
    os.rename(partial, dest)
    return dest


def newest():
    """The collections dir of .venv-newest (the pinned newest ansible package) and its bin dir."""
    python = os.path.join(NEWEST_VENV, 'bin', 'python')
    if not os.path.exists(python):
        raise SystemExit('kcore-bounds: %s is missing; make venv VENV=.venv-newest' % NEWEST_VENV)
    probe = 'import ansible_collections.kubernetes.core as k; print(next(iter(k.__path__)))'
    kcore = subprocess.run([python, '-c', probe], capture_output=True, text=True, check=True).stdout.strip()
    return os.path.dirname(os.path.dirname(os.path.dirname(kcore))), os.path.join(NEWEST_VENV, 'bin')


def _task_lists():
    for base in ('roles', 'playbooks'):
        for directory, _subdirs, files in os.walk(os.path.join(ROOT, base)):
            for name in files:
                if name.endswith('.yml') and os.sep + 'meta' not in directory and os.sep + 'defaults' not in directory:
                    path = os.path.join(directory, name)
                    yield os.path.relpath(path, ROOT), yaml.safe_load(open(path))


def _walk_tasks(items):
    for item in items or []:
        if not isinstance(item, dict):
            continue
        yield item
        for key in ('block', 'rescue', 'always', 'tasks', 'pre_tasks', 'post_tasks', 'handlers'):
            yield from _walk_tasks(item.get(key))


def yaml_calls():
    """(where, module, {option: literal value or None}) of every kubernetes.core task of the roles and playbooks.

    The playbooks' module_defaults reach every task of the module group, so their options join every call.
    """
    groups = {'group/kubernetes.core.k8s': ['kubernetes.core.k8s', 'kubernetes.core.k8s_info'],
              'group/kubernetes.core.helm': ['kubernetes.core.helm']}
    # our own action groups (meta/runtime.yml) reach the kubernetes.core modules they list
    runtime = yaml.safe_load(open(os.path.join(ROOT, 'meta', 'runtime.yml')))
    for name, members in runtime.get('action_groups', {}).items():
        groups['group/daprkit.dapr.' + name] = [m for m in members if str(m).startswith('kubernetes.core.')]
    calls, defaults = [], {}
    for path, items in _task_lists():
        for task in _walk_tasks(items if isinstance(items, list) else []):
            for key, args in task.items():
                if key.startswith('kubernetes.core.') and isinstance(args, dict):
                    calls.append((path, key, dict((k, _literal(v)) for k, v in args.items())))
            for group, args in (task.get('module_defaults') or {}).items():
                if group not in groups and group.startswith(('group/kubernetes.core', 'kubernetes.core')):
                    raise SystemExit('kcore-bounds: %s uses module_defaults %s, which this check does not know'
                                     % (path, group))
                for module in groups.get(group, []):
                    defaults.setdefault(module, set()).update(args)
    return [(where, module, dict(dict((k, None) for k in defaults.get(module, ())), **options))
            for where, module, options in calls]


def _literal(value):
    return None if isinstance(value, str) and '{{' in value else value


# What the helm backend (plugins/module_utils/_helm_host.py) calls of kubernetes.core's helm module_utils: the
# class, built around our module, and its runner with the arguments we pass.
HELM_RUNNER = ('AnsibleHelmModule', 'run_helm_command', ('command', 'fails_on_error'))


def helm_runner_problems(collections_dir):
    """Whether that kubernetes.core's module_utils/helm.py has the helm runner _helm_host uses (read, not run:
    a run needs helm and a cluster)."""
    path = os.path.join(collections_dir, 'ansible_collections', 'kubernetes', 'core', 'plugins', 'module_utils',
                        'helm.py')
    if not os.path.exists(path):
        return ['%s is missing: the helm backend imports its %s' % (path, HELM_RUNNER[0])]
    cls, method, arguments = HELM_RUNNER
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == '__init__'), None)
            if init is None or not init.args.kwarg:
                return ['%s.__init__ takes no module=: the helm backend builds it around its own module' % cls]
            runner = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == method), None)
            names = [a.arg for a in runner.args.args[1:]] if runner else []
            if names[:len(arguments)] != list(arguments):
                return ['%s.%s%s is not (%s): the helm backend runs every helm command through it'
                        % (cls, method, '(%s)' % ', '.join(names) if runner else ' is missing', ', '.join(arguments))]
            return []
    return ['%s has no class %s' % (path, cls)]


# kubernetes.core's action plugins look a kubeconfig path up on the controller before the module runs; an
# in-memory kubeconfig (a dict, which the option accepts) reaches the module's own validation; a token value
# unlike every other dummy keeps Ansible's no_log masking out of the messages
DUMMIES = dict(kubeconfig=dict(apiVersion='v1', kind='Config', clusters=[], contexts=[], users=[]),
               api_key='bounds-dummy-token')


def dummy(name, doc):
    if name in DUMMIES:
        return DUMMIES[name]
    if not doc:
        return 'x'
    if doc.get('choices'):
        return doc['choices'][0]
    return {'bool': True, 'int': 1, 'float': 1.0, 'dict': {}, 'list': [], 'path': '/nonexistent/bounds'}.get(
        doc.get('type'), 'x')


def module_docs(env, modules):
    out = subprocess.run(['ansible-doc', '--json'] + sorted(modules), env=env, capture_output=True, text=True,
                         check=False)
    if out.returncode:
        raise SystemExit('kcore-bounds: ansible-doc %s failed: %s' % (' '.join(modules), out.stderr.strip()))
    return dict((m, d['doc'].get('options', {})) for m, d in json.loads(out.stdout).items())


def playbook(calls, reference_docs, results_file):
    tasks = []
    for index, (where, module, options) in enumerate(calls):
        docs = dict(reference_docs[module])
        docs.update(dict((alias, doc) for doc in reference_docs[module].values() for alias in doc.get('aliases', [])))
        args = dict((name, value if value is not None else dummy(name, docs.get(name)))
                    for name, value in options.items())
        args = dict((k, v) for k, v in args.items() if v is not None)
        if module == 'kubernetes.core.helm':
            args['binary_path'] = '/nonexistent/helm'
        tasks.append({'name': '%d %s (%s)' % (index, module, where), module: args,
                      'register': 'call_%d' % index, 'ignore_errors': True})
    tasks.append({'name': 'our modules load with this kubernetes.core',
                  'daprkit.dapr.dapr_shared_info': {}, 'register': 'ours', 'ignore_errors': True})
    # the helm backend's module side too: its helm host imports kubernetes.core's helm module_utils
    tasks.append({'name': 'the helm backend loads with this kubernetes.core', 'register': 'ours_helm',
                  'daprkit.dapr.dapr_shared': {'app_id': 'bounds', 'namespace': 'bounds', 'method': 'helm'},
                  'ignore_errors': True})
    results = ', '.join(['call_%d' % i for i in range(len(calls))] + ['ours', 'ours_helm'])
    copy = {'content': '{{ [%s] | to_json }}' % results, 'dest': results_file}
    tasks.append({'name': 'results', 'ansible.builtin.copy': copy})
    return [{'name': 'kubernetes.core bounds', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
             'tasks': tasks}]


def environment(collections_dir, work, bin_dir=None):
    path = os.environ.get('PATH', '')
    if bin_dir:
        path = '%s:%s' % (bin_dir, path)
    env = dict(os.environ, PATH=path)
    env.update(ANSIBLE_CONFIG=os.path.join(work, 'ansible.cfg'), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_COLLECTIONS_PATH='%s:%s' % (collections_dir, os.path.join(ROOT, 'collections')),
               KUBECONFIG=os.path.join(work, 'no-kubeconfig'), **UNREACHABLE_API)
    for key in ('K8S_AUTH_KUBECONFIG', 'K8S_AUTH_CONTEXT'):
        env.pop(key, None)
    return env


def start(label, collections_dir, calls, reference, work, bin_dir=None):
    """Run the calls against one kubernetes.core (in the background): (label, process, results file, env)."""
    env = environment(collections_dir, work, bin_dir)
    results_file = os.path.join(work, 'results-%s.json' % label)
    play = os.path.join(work, 'bounds-%s.yml' % label)
    yaml.safe_dump(playbook(calls, reference, results_file), open(play, 'w'), sort_keys=False)
    process = subprocess.Popen(['ansible-playbook', play], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    return label, process, results_file, env


def problems_of(calls, started):
    process, results_file, env = started[1:]
    output = process.communicate()[0]
    if not os.path.exists(results_file):
        return ['ansible-playbook did not finish:\n%s' % output[-3000:]]
    problems = []
    results = json.load(open(results_file))
    ours = [('plugins/modules', 'daprkit.dapr.dapr_shared_info', {}),
            ('plugins/modules', 'daprkit.dapr.dapr_shared', {})]
    for (where, module, _options), result in zip(calls + ours, results):
        message = str(result.get('msg', '')) + str(result.get('module_stderr', '')) + str(result.get('exception', ''))
        if not result.get('failed'):
            problems.append('%s: %s succeeded against an unreachable API server: the check proves nothing'
                            % (where, module))
        elif ARGUMENT_ERRORS.search(message):
            problems.append('%s: %s refused the call: %s' % (where, module, message.strip().splitlines()[0][:400]))
        elif not PAST_VALIDATION.search(message):
            problems.append('%s: %s failed before its argument validation could be seen: %s'
                            % (where, module, message.strip()[:400]))
    doc = subprocess.run(['ansible-doc', 'daprkit.dapr.dapr_shared', 'daprkit.dapr.dapr_shared_info'], env=env,
                         capture_output=True, text=True, check=False)
    if doc.returncode or ARGUMENT_ERRORS.search(doc.stderr):
        problems.append('ansible-doc of our modules: %s' % doc.stderr.strip()[:400])
    return problems


def main():
    bound, upper = claimed()
    lowest = [a for a, k in BUNDLES if k == bound]
    below = [a for a, k in sorted(BUNDLES, key=lambda b: _version(b[1])) if _version(k) < _version(bound)]
    if not lowest:
        sys.stderr.write('kcore-bounds: galaxy.yml claims kubernetes.core >= %s; add to BUNDLES the ansible release '
                         'that bundles it, so that the lowest claimed version is tested\n' % bound)
        return 1
    mismatches = other_bounds(bound)
    for problem in mismatches:
        sys.stderr.write('kcore-bounds: %s\n' % problem)
    if mismatches:
        return 1
    calls = yaml_calls()
    work = tempfile.mkdtemp(prefix='daprkit-kcore-bounds-')
    try:
        open(os.path.join(work, 'ansible.cfg'), 'w').write('[defaults]\n')
        newest_dir, newest_bin = newest()
        if version_of(newest_dir) != BUNDLES[-1][1]:
            sys.stderr.write('kcore-bounds: .venv-newest has kubernetes.core %s; BUNDLES names %s (ansible %s) as the '
                             'newest tested\n' % (version_of(newest_dir), BUNDLES[-1][1], BUNDLES[-1][0]))
            return 1
        versions = [('newest', newest_dir), ('lowest', bundled(lowest[0]))]
        if below:
            versions.append(('below', bundled(below[-1])))
        else:
            print('kcore-bounds: no kubernetes.core below %s in BUNDLES: the check runs without its control' % bound)
        expected = dict(BUNDLES)
        for label, collections_dir in versions[1:]:
            ansible = os.path.basename(collections_dir)[len('ansible-'):]
            if version_of(collections_dir) != expected[ansible]:
                sys.stderr.write('kcore-bounds: ansible %s bundles kubernetes.core %s, not %s as BUNDLES says\n'
                                 % (ansible, version_of(collections_dir), expected[ansible]))
                return 1
        if upper and _version(version_of(versions[0][1])) >= _version(upper):
            sys.stderr.write('kcore-bounds: the newest kubernetes.core tested, %s, is outside galaxy.yml\'s < %s\n'
                             % (version_of(versions[0][1]), upper))
            return 1
        # the option types come from the newest version's documentation
        reference = module_docs(environment(newest_dir, work, newest_bin), set(c[1] for c in calls))
        started = [start(label, path, calls, reference, work, newest_bin if label == 'newest' else None)
                   for label, path in versions]
        failed = False
        for (label, collections_dir), run in zip(versions, started):
            version = version_of(collections_dir)
            problems = problems_of(calls, run) + helm_runner_problems(collections_dir)
            if label == 'below':
                if not problems:
                    sys.stderr.write('kcore-bounds: kubernetes.core %s (below the bound %s) passes too: the bound is '
                                     'higher than the code needs, or the check cannot fail\n' % (version, bound))
                    failed = True
                else:
                    print('kcore-bounds: kubernetes.core %s (below the bound) is refused, as it must be: %s'
                          % (version, problems[0][:300]))
                continue
            for problem in problems:
                sys.stderr.write('kcore-bounds: kubernetes.core %s (%s): %s\n' % (version, label, problem))
            failed = failed or bool(problems)
            if not problems:
                print('kcore-bounds: kubernetes.core %s (%s, on %s): %d kubernetes.core calls and our modules accepted'
                      % (version, label, core_of(run[3]), len(calls)))
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
