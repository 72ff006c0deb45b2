"""The route matrix of the integration concept (see tests/test_routes.py)."""


# The integration concept. Everyone with a role reads; the coordination edits;
# Verwaltung updates the status of its departments' measures (refused here: the
# measure is led by a department the user does not answer for).
def _measure_pk(factory_name, **extra):
    def build():
        from ..measures import factories

        return {"pk": getattr(factories, factory_name)().pk, **extra}

    return build


def _revision_pk(factory_name):
    def build():
        from measures.models import ConceptVersion

        from ..measures import factories

        revision = factories.ConceptVersionFactory(
            status=ConceptVersion.Status.REVISION, adopted_on=None
        )
        if factory_name == "ConceptVersionFactory":
            return {"pk": revision.pk}
        if factory_name == "GoalFactory":
            return {"pk": factories.GoalFactory(version=revision).pk}
        goal = factories.GoalFactory(version=revision)
        return {"pk": factories.MeasureFactory(goal=goal).pk}

    return build


def _version_pair():
    from ..measures.factories import ConceptVersionFactory

    old = ConceptVersionFactory()
    return {"pk": old.pk, "other": ConceptVersionFactory(concept=old.concept).pk}


CONCEPT_READERS = {"committee_member", "administration_user", "coordinator"}
CONCEPT_EDITORS = {"coordinator"}
MATRIX = {
    "measures:index": (lambda: {}, CONCEPT_READERS),
    "measures:version_list": (lambda: {}, CONCEPT_READERS),
    "measures:version_detail": (_measure_pk("ConceptVersionFactory"), CONCEPT_READERS),
    "measures:version_revise": (_measure_pk("ConceptVersionFactory"), CONCEPT_EDITORS),
    "measures:version_adopt": (_revision_pk("ConceptVersionFactory"), CONCEPT_EDITORS),
    "measures:version_compare": (_version_pair, CONCEPT_READERS),
    "measures:goal_create": (_revision_pk("ConceptVersionFactory"), CONCEPT_EDITORS),
    "measures:goal_update": (_revision_pk("GoalFactory"), CONCEPT_EDITORS),
    "measures:measure_create": (_revision_pk("GoalFactory"), CONCEPT_EDITORS),
    "measures:measure_detail": (_measure_pk("MeasureFactory"), CONCEPT_READERS),
    "measures:measure_update": (_revision_pk("MeasureFactory"), CONCEPT_EDITORS),
    "measures:statusupdate_create": (_measure_pk("MeasureFactory"), CONCEPT_EDITORS),
    "measures:my_measures": (lambda: {}, {"administration_user", "coordinator"}),
    "measures:stale_list": (lambda: {}, CONCEPT_EDITORS),
    "measures:stale_remind": (lambda: {}, CONCEPT_EDITORS),
    "measures:import_upload": (_revision_pk("ConceptVersionFactory"), CONCEPT_EDITORS),
    "measures:import_confirm": (_revision_pk("ConceptVersionFactory"), CONCEPT_EDITORS),
    "measures:import_sample": (lambda: {}, CONCEPT_READERS),
    "measures:catalogue_export": (
        _measure_pk("ConceptVersionFactory", fmt="csv"),
        CONCEPT_READERS,
    ),
}
POST_ONLY = {"measures:version_revise", "measures:stale_remind", "measures:import_confirm"}

# Funding, positions and monitoring: every role reads, the coordination edits.
MATRIX |= {
    "measures:funding_overview": (lambda: {}, CONCEPT_READERS),
    "measures:programme_create": (lambda: {}, CONCEPT_EDITORS),
    "measures:programme_detail": (_measure_pk("FundingProgrammeFactory"), CONCEPT_READERS),
    "measures:programme_update": (_measure_pk("FundingProgrammeFactory"), CONCEPT_EDITORS),
    "measures:grant_list": (lambda: {}, CONCEPT_READERS),
    "measures:grant_create": (lambda: {}, CONCEPT_EDITORS),
    "measures:grant_detail": (_measure_pk("GrantFactory"), CONCEPT_READERS),
    "measures:grant_update": (_measure_pk("GrantFactory"), CONCEPT_EDITORS),
    "measures:position_list": (lambda: {}, CONCEPT_READERS),
    "measures:position_create": (lambda: {}, CONCEPT_EDITORS),
    "measures:position_detail": (_measure_pk("PositionFactory"), CONCEPT_READERS),
    "measures:position_update": (_measure_pk("PositionFactory"), CONCEPT_EDITORS),
    "measures:monitoring_overview": (lambda: {}, CONCEPT_READERS),
    "measures:indicator_create": (lambda: {}, CONCEPT_EDITORS),
    "measures:indicator_detail": (_measure_pk("IndicatorFactory"), CONCEPT_READERS),
    "measures:indicator_update": (_measure_pk("IndicatorFactory"), CONCEPT_EDITORS),
    "measures:observation_create": (_measure_pk("IndicatorFactory"), CONCEPT_EDITORS),
    "measures:observation_update": (_measure_pk("ObservationFactory"), CONCEPT_EDITORS),
    "measures:observation_delete": (_measure_pk("ObservationFactory"), CONCEPT_EDITORS),
    "measures:concept_report": (_measure_pk("ConceptVersionFactory"), CONCEPT_READERS),
}
