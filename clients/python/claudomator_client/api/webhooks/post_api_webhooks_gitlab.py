from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.webhook_result import WebhookResult
from ...types import File, FileTypes
from ...types import UNSET, Unset
from io import BytesIO
from typing import cast



def _get_kwargs(
    *,
    body:    File  |     File  | Unset = UNSET,
    x_gitlab_token: str | Unset = UNSET,
    x_gitlab_event_uuid: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_gitlab_token, Unset):
        headers["X-Gitlab-Token"] = x_gitlab_token

    if not isinstance(x_gitlab_event_uuid, Unset):
        headers["X-Gitlab-Event-UUID"] = x_gitlab_event_uuid



    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/webhooks/gitlab",
    }

    if isinstance(body, File):
        _kwargs["json"] = body.to_tuple()


        headers["Content-Type"] = "application/json"
    if isinstance(body, File):
        _kwargs["data"] = body.to_dict()
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | WebhookResult | None:
    if response.status_code == 200:
        response_200 = WebhookResult.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = WebhookResult.from_dict(response.json())



        return response_201

    if response.status_code == 202:
        response_202 = WebhookResult.from_dict(response.json())



        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())



        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())



        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())



        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())



        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())



        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | WebhookResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body:    File  |     File  | Unset = UNSET,
    x_gitlab_token: str | Unset = UNSET,
    x_gitlab_event_uuid: str | Unset = UNSET,

) -> Response[Problem | WebhookResult]:
    """ GitLab webhook

     Configure a pipeline hook whose secret token is the project's webhook secret. A failed
    pipeline of a registered project becomes a CI-fix task (201).

    Args:
        x_gitlab_token (str | Unset):
        x_gitlab_event_uuid (str | Unset):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookResult]
     """


    kwargs = _get_kwargs(
        body=body,
x_gitlab_token=x_gitlab_token,
x_gitlab_event_uuid=x_gitlab_event_uuid,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,
    body:    File  |     File  | Unset = UNSET,
    x_gitlab_token: str | Unset = UNSET,
    x_gitlab_event_uuid: str | Unset = UNSET,

) -> Problem | WebhookResult | None:
    """ GitLab webhook

     Configure a pipeline hook whose secret token is the project's webhook secret. A failed
    pipeline of a registered project becomes a CI-fix task (201).

    Args:
        x_gitlab_token (str | Unset):
        x_gitlab_event_uuid (str | Unset):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookResult
     """


    return sync_detailed(
        client=client,
body=body,
x_gitlab_token=x_gitlab_token,
x_gitlab_event_uuid=x_gitlab_event_uuid,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body:    File  |     File  | Unset = UNSET,
    x_gitlab_token: str | Unset = UNSET,
    x_gitlab_event_uuid: str | Unset = UNSET,

) -> Response[Problem | WebhookResult]:
    """ GitLab webhook

     Configure a pipeline hook whose secret token is the project's webhook secret. A failed
    pipeline of a registered project becomes a CI-fix task (201).

    Args:
        x_gitlab_token (str | Unset):
        x_gitlab_event_uuid (str | Unset):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookResult]
     """


    kwargs = _get_kwargs(
        body=body,
x_gitlab_token=x_gitlab_token,
x_gitlab_event_uuid=x_gitlab_event_uuid,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body:    File  |     File  | Unset = UNSET,
    x_gitlab_token: str | Unset = UNSET,
    x_gitlab_event_uuid: str | Unset = UNSET,

) -> Problem | WebhookResult | None:
    """ GitLab webhook

     Configure a pipeline hook whose secret token is the project's webhook secret. A failed
    pipeline of a registered project becomes a CI-fix task (201).

    Args:
        x_gitlab_token (str | Unset):
        x_gitlab_event_uuid (str | Unset):
        body (File):
        body (File):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookResult
     """


    return (await asyncio_detailed(
        client=client,
body=body,
x_gitlab_token=x_gitlab_token,
x_gitlab_event_uuid=x_gitlab_event_uuid,

    )).parsed
