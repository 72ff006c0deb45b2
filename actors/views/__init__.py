"""Views of the network, one module per area: ``organisations`` (and the overview),
``people`` (with affiliations and merge), ``circles``, ``transfer`` (import, export,
network picture), ``privacy`` (consent and data protection); shared pieces in ``common``."""
