from django.http import Http404


def answer(request, token, score=None):
    raise Http404("Answer pages come with the email campaigns issue.")
