"""The portal's full-text search page (open without a login)."""

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from ...forms.search import MAX_QUERY_LENGTH, SearchForm
from ...selectors.search import search_results


@method_decorator(login_not_required, name="dispatch")
class SearchView(TemplateView):
    """Search what the visitor may see; an empty or invalid query runs no search."""

    template_name = "minutes/portal/search.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None, user=self.request.user)
        results, query, kind = None, "", ""
        if form.is_bound and form.is_valid():
            query, filters = form.cleaned_data["q"], form.search_filters()
            kind = filters.kind
            if query:
                results = search_results(
                    user=self.request.user,
                    query=query,
                    filters=filters,
                    page=form.cleaned_data["page"],
                )
        context.update(
            form=form,
            query=query,
            active_kind=kind,
            results=results,
            page_obj=results.page if results else None,
            max_query_length=MAX_QUERY_LENGTH,
            portal_section="search",
        )
        return context
