from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.task_event_view import TaskEventView
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    *,
    task_id: UUID | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    last_event_id: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id



    

    params: dict[str, Any] = {}

    json_task_id: str | Unset = UNSET
    if not isinstance(task_id, Unset):
        json_task_id = str(task_id)
    params["task_id"] = json_task_id

    json_project_id: str | Unset = UNSET
    if not isinstance(project_id, Unset):
        json_project_id = str(project_id)
    params["project_id"] = json_project_id


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/events",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | list[TaskEventView] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.text
        for response_200_item_data in (_response_200):
            response_200_item = TaskEventView.from_dict(response_200_item_data)



            response_200.append(response_200_item)

        return response_200

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | list[TaskEventView]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    task_id: UUID | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    last_event_id: str | Unset = UNSET,

) -> Response[Problem | list[TaskEventView]]:
    """ Stream task events

     Server-sent events, one per task transition (`event: task`, `id:` the event id, data a
    JSON `TaskEventView`). Resume with the `Last-Event-ID` header to replay what was missed;
    without it only new events are sent. Filter by task or project. Heartbeat comments keep
    proxies from closing an idle connection.

    Args:
        task_id (UUID | Unset):
        project_id (UUID | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[TaskEventView]]
     """


    kwargs = _get_kwargs(
        task_id=task_id,
project_id=project_id,
last_event_id=last_event_id,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    task_id: UUID | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    last_event_id: str | Unset = UNSET,

) -> Problem | list[TaskEventView] | None:
    """ Stream task events

     Server-sent events, one per task transition (`event: task`, `id:` the event id, data a
    JSON `TaskEventView`). Resume with the `Last-Event-ID` header to replay what was missed;
    without it only new events are sent. Filter by task or project. Heartbeat comments keep
    proxies from closing an idle connection.

    Args:
        task_id (UUID | Unset):
        project_id (UUID | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[TaskEventView]
     """


    return sync_detailed(
        client=client,
task_id=task_id,
project_id=project_id,
last_event_id=last_event_id,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    task_id: UUID | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    last_event_id: str | Unset = UNSET,

) -> Response[Problem | list[TaskEventView]]:
    """ Stream task events

     Server-sent events, one per task transition (`event: task`, `id:` the event id, data a
    JSON `TaskEventView`). Resume with the `Last-Event-ID` header to replay what was missed;
    without it only new events are sent. Filter by task or project. Heartbeat comments keep
    proxies from closing an idle connection.

    Args:
        task_id (UUID | Unset):
        project_id (UUID | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | list[TaskEventView]]
     """


    kwargs = _get_kwargs(
        task_id=task_id,
project_id=project_id,
last_event_id=last_event_id,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    task_id: UUID | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    last_event_id: str | Unset = UNSET,

) -> Problem | list[TaskEventView] | None:
    """ Stream task events

     Server-sent events, one per task transition (`event: task`, `id:` the event id, data a
    JSON `TaskEventView`). Resume with the `Last-Event-ID` header to replay what was missed;
    without it only new events are sent. Filter by task or project. Heartbeat comments keep
    proxies from closing an idle connection.

    Args:
        task_id (UUID | Unset):
        project_id (UUID | Unset):
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | list[TaskEventView]
     """


    return (await asyncio_detailed(
        client=client,
task_id=task_id,
project_id=project_id,
last_event_id=last_event_id,

    )).parsed
