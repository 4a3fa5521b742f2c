"""openproms' own settings less the audit of reads: the "before" of run.py --without-read-audit.

Used only by the collection benchmark, so the cost of the audit of reads is measured
on the same code with the one middleware taken out (decision 0013).
"""

from openproms.settings import *  # noqa: F403
from openproms.settings import MIDDLEWARE as _MIDDLEWARE

MIDDLEWARE = [
    m for m in _MIDDLEWARE if m != "openproms.audit.reads.ReadAuditMiddleware"
]
