"""The Dataverse Web API: a pure function from HttpRequest to HttpResponse."""
