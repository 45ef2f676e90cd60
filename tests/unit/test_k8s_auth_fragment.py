# Our connection options are kubernetes.core's (our modules take its AUTH_ARG_SPEC and hand the values to its
# client), but their documentation is our own doc fragment, so that it loads without kubernetes.core as
# Galaxy's importer loads it. These tests fail when the fragment, kubernetes.core's spec, the environment
# variables its client reads and the argument spec our modules use drift apart.
import os
import re

import pytest
import yaml

from ansible_collections.kubernetes.core.plugins.module_utils import args_common
from ansible_collections.kubernetes.core.plugins.module_utils.k8s import client as kcore_client

from ansible_collections.daprkit.dapr.plugins.doc_fragments.k8s_auth import ModuleDocFragment
from ansible_collections.daprkit.dapr.plugins.modules import dapr_shared, dapr_shared_info

FRAGMENT = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']
MODULES = {'dapr_shared': dapr_shared, 'dapr_shared_info': dapr_shared_info}
ENV_MARKUP = re.compile(r'E\((K8S_AUTH_[A-Z_]+)\)')


def _shape(options, sub_key):
    """{name: (type, elements, aliases, default, sub-shape)} of an argument spec or of option documentation."""
    return dict((name, (entry.get('type', 'str'), entry.get('elements'), sorted(entry.get('aliases', [])),
                        entry.get('default'), _shape(entry[sub_key], sub_key) if entry.get(sub_key) else None))
                for name, entry in options.items())


def test_fragment_documents_kubernetes_core_auth_spec():
    assert _shape(FRAGMENT, 'suboptions') == _shape(args_common.AUTH_ARG_SPEC, 'options')


@pytest.mark.parametrize('name', sorted(MODULES))
def test_modules_use_kubernetes_core_auth_spec_and_our_fragment(name):
    module = MODULES[name]
    spec = module.argument_spec()
    assert dict((key, spec.get(key)) for key in args_common.AUTH_ARG_SPEC) == args_common.AUTH_ARG_SPEC
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'daprkit.dapr.k8s_auth' in doc['extends_documentation_fragment']
    assert not [f for f in doc['extends_documentation_fragment'] if not f.startswith('daprkit.dapr.')], \
        'a doc fragment of another collection does not load where only this collection is installed (Galaxy)'


def _documented_env():
    """{(option,) or (option, suboption): {K8S_AUTH_* named in its description}}"""
    found = {}
    for name, entry in FRAGMENT.items():
        found[(name,)] = set(ENV_MARKUP.findall(' '.join(entry['description'])))
        for sub, sub_entry in (entry.get('suboptions') or {}).items():
            found[(name, sub)] = set(ENV_MARKUP.findall(' '.join(sub_entry['description'])))
    return found


def _candidate_env_names():
    spec = args_common.AUTH_ARG_SPEC
    names = set(args_common.AUTH_ARG_MAP)
    for name, entry in spec.items():
        names.update([name] + entry.get('aliases', []))
    candidates = set('K8S_AUTH_' + name.upper() for name in names)
    candidates.update('K8S_AUTH_PROXY_HEADERS_' + sub.upper() for sub in args_common.AUTH_PROXY_HEADERS_SPEC)
    return candidates


def _options_filled_by(variable, monkeypatch):
    """The options kubernetes.core's client takes from this one environment variable, asked of the client."""
    for other in [key for key in os.environ if key.startswith('K8S_AUTH_')]:
        monkeypatch.delenv(other)
    monkeypatch.setenv(variable, 'true')
    to_option = dict((true_name, option) for true_name, option in args_common.AUTH_ARG_MAP.items())
    filled = set()
    for true_name, value in kcore_client._create_auth_spec().items():
        if true_name == 'proxy_headers':
            filled.update(('proxy_headers', sub) for sub in value)
        elif value is not None:
            filled.add((to_option[true_name],))
    headers = kcore_client._create_headers()
    filled.update((option,) for option, header in (('impersonate_user', 'Impersonate-User'),
                                                   ('impersonate_groups', 'Impersonate-Group')) if header in headers)
    monkeypatch.delenv(variable)
    return filled


def test_fragment_names_the_environment_variables_kubernetes_core_reads(monkeypatch):
    read = dict((key, set()) for key in _documented_env())
    for variable in sorted(_candidate_env_names()):
        for option in _options_filled_by(variable, monkeypatch):
            read.setdefault(option, set()).add(variable)
    assert _documented_env() == read


def test_every_option_has_an_environment_variable():
    # the AWX credential path: every option can come from the environment, none is documented without one
    assert [key for key, names in _documented_env().items() if not names and key != ('proxy_headers',)] == []
