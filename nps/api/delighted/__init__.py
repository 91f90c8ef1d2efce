"""The Delighted-compatible API (/v1/…): Delighted's paths, parameters, JSON shapes, pagination and errors.

Code written for Delighted's public API (its official clients or plain HTTP) works against OpenNPS when only
the base URL changes. protocol.py holds what every resource shares (Basic auth, Rails-style parameters,
errors, paging, the endpoint decorator); one module per resource (people, responses, metrics, unsubscribes,
autopilot) only translates: every write goes through the services the native API uses (surveys.contacts,
surveys.services, responses.services), every figure through dashboards.queries, every object through the
serializers of its app (surveys.serializers, responses.serializers). docs/api.md lists the mapping and
every known difference.
"""
