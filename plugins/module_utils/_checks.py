# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the vocabulary of value checks a schema Field declares (check=...).

A check is a function of the field's value, called once the value has the declared type and is one of
its choices. It yields (suffix, text) pairs; the problem reads "<instance>: <field><suffix> <text>":
('', "must be a DNS-1123 label, got 'A'"), ('.limits.memory', 'must be a Kubernetes quantity ...'),
('[team]', 'must be a label value ...'). Texts say what is accepted. Pure: no I/O.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_HOST = re.compile(r'^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*)$')
_VERSION = re.compile(r'^v?[0-9]+\.[0-9]+\.[0-9]+([-.+][0-9A-Za-z.-]+)?$')
_ADDRESS = re.compile(r'^[^\s:/]+:[0-9]{1,5}$')
_LABEL_KEY = re.compile(r'^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$')
_LABEL_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')
# A Kubernetes resource quantity (k8s.io/apimachinery resource.Quantity), e.g. 100m, 1.5Gi, 2e3
_QUANTITY = re.compile(r'^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$')
_RESOURCE_SECTIONS = ('limits', 'requests', 'claims')
_TOLERATION_KEYS = ('key', 'operator', 'value', 'effect', 'tolerationSeconds')
_TOLERATION_OPERATORS = ('Exists', 'Equal')
_TOLERATION_EFFECTS = ('NoSchedule', 'PreferNoSchedule', 'NoExecute')


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


# -- names and strings ---------------------------------------------------------------------------

def matches(pattern, must, empty_ok=False, max_length=None):
    """A string matching pattern (a compiled regex), at most max_length characters. must: what the
    message says, e.g. 'must be a DNS-1123 label'."""
    def check(value):
        if value == '' and empty_ok:
            return
        if not pattern.match(value) or (max_length is not None and len(value) > max_length):
            yield '', '%s, got %r' % (must, value)
    return check


def dns_label(must='must be a DNS-1123 label', empty_ok=False, max_length=None):
    """A namespace or other DNS-1123 label name."""
    return matches(DNS1123_LABEL, must, empty_ok, max_length)


def dns_subdomain(must, empty_ok=False):
    """An object name (Secret, PriorityClass, Configuration) or a DNS name."""
    return matches(DNS1123_SUBDOMAIN, must, empty_ok)


def entries(pattern, what):
    """A list of strings, each matching pattern: 'entries must be <what>'."""
    def check(values):
        for value in values:
            if not isinstance(value, str) or not pattern.match(value):
                yield '', 'entries must be %s, got %r' % (what, value)
    return check


def host():
    """A bare host name or IP, without scheme, port or path; empty allowed."""
    def check(value):
        if '://' in value:
            yield '', ('must be a bare host name or IP without a scheme (daprd adds http:// or https:// from '
                       'app_protocol), got %r' % value)
        elif value and ('/' in value or (':' in value and not value.startswith('[')) or not _HOST.match(value)):
            yield '', 'must be a bare host name or IP without port or path, got %r' % value
    return check


def address():
    """host:port without scheme; empty allowed (derived)."""
    return matches(_ADDRESS, 'must be host:port without scheme', empty_ok=True)


def release_version():
    """An image tag that is a release version (1.16.2, v1.17.0-rc.1); empty allowed (derived)."""
    return matches(_VERSION, 'must be a release version such as 1.16.2', empty_ok=True)


def image_repository(tag_field):
    """An image repository without tag or digest (the tag is the field tag_field)."""
    def check(value):
        if not value or '@' in value or re.search(r':[^/]*$', value):
            yield '', 'must be a repository without tag or digest (the tag is %s), got %r' % (tag_field, value)
    return check


def secret_text(min_length):
    """A secret given inline: at least min_length characters; empty allowed (generated or read)."""
    def check(value):
        if value and len(value) < min_length:
            yield '', 'is too short: at least %d characters are required' % min_length
    return check


# -- numbers ---------------------------------------------------------------------------------------

def port(zero_ok=False, reserved=()):
    """A TCP port; zero_ok: 0 means none; reserved: ports taken by something else."""
    low = 0 if zero_ok else 1

    def check(value):
        if not _is_int(value) or value < low or value > 65535:
            yield '', 'must be an integer from %d to 65535, got %r' % (low, value)
        elif value in reserved:
            yield '', '%s collides with a daprd port (%s)' % (value, ', '.join(str(p) for p in reserved))
    return check


def at_least(minimum, why=''):
    """A count: an integer >= minimum. why: said after the bound, e.g. ' (0 blocks every drain)'."""
    def check(value):
        if not _is_int(value) or value < minimum:
            yield '', 'must be an integer >= %d%s, got %r' % (minimum, why, value)
    return check


def seconds(minimum=0):
    """A duration in whole seconds."""
    return at_least(minimum, ' (seconds)')


def milliseconds(minimum=1):
    """A duration in whole milliseconds."""
    return at_least(minimum, ' (milliseconds)')


# -- Kubernetes structures ---------------------------------------------------------------------------

def _label_key_problem(key):
    return not isinstance(key, str) or not _LABEL_KEY.match(key) or len(key.split('/')[-1]) > 63


def label_map():
    """Labels (or a label selector's matchLabels): label keys to label values."""
    def check(mapping):
        for key, value in mapping.items():
            if _label_key_problem(key):
                yield '', 'has an invalid key %r (a Kubernetes label/annotation key)' % (key,)
            if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
                yield '[%s]' % key, 'must be a label value (63 chars of [A-Za-z0-9_.-]), got %r' % (value,)
    return check


def annotation_map():
    """Annotations: label keys to any string."""
    def check(mapping):
        for key in mapping:
            if _label_key_problem(key):
                yield '', 'has an invalid key %r (a Kubernetes label/annotation key)' % (key,)
    return check


def keys_among(accepted):
    """A mapping whose keys are among accepted (their values are the API server's to check)."""
    def check(mapping):
        for key in sorted(set(mapping) - set(accepted), key=str):
            yield '', 'has an unknown key %r (accepted: %s)' % (key, ', '.join(accepted))
    return check


def quantity(value):
    """True for a Kubernetes resource quantity such as 100m, 256Mi or 1."""
    return not isinstance(value, bool) and value is not None and bool(_QUANTITY.match(str(value).strip()))


def resources():
    """A container's resources: limits and requests map resource names to quantities."""
    def check(value):
        for section, amounts in value.items():
            if section not in _RESOURCE_SECTIONS:
                yield '', 'has an unknown key %r (accepted: %s)' % (section, ', '.join(_RESOURCE_SECTIONS))
            elif section != 'claims':
                if not isinstance(amounts, dict):
                    yield '.%s' % section, 'must be a mapping of resource name to quantity, got %r' % (amounts,)
                    continue
                for resource, amount in amounts.items():
                    if not quantity(amount):
                        yield ('.%s.%s' % (section, resource),
                               'must be a Kubernetes quantity such as 100m, 256Mi or 1, got %r' % (amount,))
    return check


def tolerations():
    """A pod's tolerations (a list of mappings)."""
    def check(value):
        for index, toleration in enumerate(value):
            at = '[%d]' % index
            for key in sorted(set(toleration) - set(_TOLERATION_KEYS), key=str):
                yield at, 'has an unknown key %r (accepted: %s)' % (key, ', '.join(_TOLERATION_KEYS))
            operator = toleration.get('operator', 'Equal')
            if operator not in _TOLERATION_OPERATORS:
                yield at + '.operator', 'must be one of %s, got %r' % (', '.join(_TOLERATION_OPERATORS), operator)
            elif operator == 'Exists' and toleration.get('value'):
                yield at + '.value', 'must be empty with operator Exists'
            if toleration.get('effect', '') not in ('',) + _TOLERATION_EFFECTS:
                yield at + '.effect', 'must be one of %s or empty, got %r' % (
                    ', '.join(_TOLERATION_EFFECTS), toleration.get('effect'))
            if not toleration.get('key') and operator != 'Exists':
                yield at + '.key', 'may be empty only with operator Exists'
            if toleration.get('tolerationSeconds') is not None and not _is_int(toleration['tolerationSeconds']):
                yield at + '.tolerationSeconds', 'must be an integer, got %r' % (toleration['tolerationSeconds'],)
    return check
