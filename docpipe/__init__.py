"""docpipe: document analysis for regulated data, run entirely inside the network."""
from docpipe import offline as _offline

_offline.apply()

__version__ = "0.1.0"
# 2: a field per CUAD category, focused passes, value checks; 3: date and law fields are offered
# only sentences holding a date or a jurisdiction, fewer false prompt-injection alerts
PIPELINE_VERSION = "3"
