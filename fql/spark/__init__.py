"""The engine on Apache Spark: filters, triggers, mappings and routing over a column of
events (JSON text or structs), with the library's answers.

>>> import fql.spark
>>> spark = fql.spark.local_session()
>>> big = fql.spark.filter(df, 'type = "track" and properties.revenue > 100')
>>> df.select(fql.spark.apply_mapping(mapping, "value", trigger='type = "track"'))
>>> fql.spark.route(df, "workspace.yaml", reasons=True)

Rules are checked when the job is defined (an invalid one raises the library's error
then) and compiled once per Python worker; events travel in Arrow batches into the
kernels' batch entry points. :mod:`.rules` holds what travels and the workers' cache,
:mod:`.batches` what a worker runs on a batch, :mod:`.functions` the Spark API. Needs
the ``[spark]`` extra (PySpark with PyArrow); Java 17 or later on every machine.
"""

from __future__ import annotations

try:
    import pyarrow  # noqa: F401
    import pyspark  # noqa: F401
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "fql.spark needs PySpark and PyArrow: pip install 'fql-engine[spark]'"
    ) from err

from .functions import *  # noqa: F403  (the public names, listed in functions.__all__)
from .functions import __all__ as __all__
