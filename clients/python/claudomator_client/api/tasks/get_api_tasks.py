from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.problem import Problem
from ...models.task_page import TaskPage
from ...models.task_state import TaskState
from ...types import UNSET, Unset
from typing import cast
from uuid import UUID



def _get_kwargs(
    *,
    state: TaskState | Unset = UNSET,
    agent: str | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    parent_task_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    json_state: str | Unset = UNSET
    if not isinstance(state, Unset):
        json_state = state.value

    params["state"] = json_state

    params["agent"] = agent

    json_project_id: str | Unset = UNSET
    if not isinstance(project_id, Unset):
        json_project_id = str(project_id)
    params["project_id"] = json_project_id

    params["label"] = label

    json_parent_task_id: str | Unset = UNSET
    if not isinstance(parent_task_id, Unset):
        json_parent_task_id = str(parent_task_id)
    params["parent_task_id"] = json_parent_task_id

    json_cursor: str | Unset = UNSET
    if not isinstance(cursor, Unset):
        json_cursor = str(cursor)
    params["cursor"] = json_cursor

    params["limit"] = limit


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/tasks",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TaskPage | None:
    if response.status_code == 200:
        response_200 = TaskPage.from_dict(response.json())



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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | TaskPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    state: TaskState | Unset = UNSET,
    agent: str | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    parent_task_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[Problem | TaskPage]:
    """ List tasks

     Newest first; pass `next_cursor` as `cursor` for the next page.

    Args:
        state (TaskState | Unset): Task states.
        agent (str | Unset):
        project_id (UUID | Unset):
        label (str | Unset):
        parent_task_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskPage]
     """


    kwargs = _get_kwargs(
        state=state,
agent=agent,
project_id=project_id,
label=label,
parent_task_id=parent_task_id,
cursor=cursor,
limit=limit,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    state: TaskState | Unset = UNSET,
    agent: str | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    parent_task_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Problem | TaskPage | None:
    """ List tasks

     Newest first; pass `next_cursor` as `cursor` for the next page.

    Args:
        state (TaskState | Unset): Task states.
        agent (str | Unset):
        project_id (UUID | Unset):
        label (str | Unset):
        parent_task_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskPage
     """


    return sync_detailed(
        client=client,
state=state,
agent=agent,
project_id=project_id,
label=label,
parent_task_id=parent_task_id,
cursor=cursor,
limit=limit,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    state: TaskState | Unset = UNSET,
    agent: str | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    parent_task_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Response[Problem | TaskPage]:
    """ List tasks

     Newest first; pass `next_cursor` as `cursor` for the next page.

    Args:
        state (TaskState | Unset): Task states.
        agent (str | Unset):
        project_id (UUID | Unset):
        label (str | Unset):
        parent_task_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskPage]
     """


    kwargs = _get_kwargs(
        state=state,
agent=agent,
project_id=project_id,
label=label,
parent_task_id=parent_task_id,
cursor=cursor,
limit=limit,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    state: TaskState | Unset = UNSET,
    agent: str | Unset = UNSET,
    project_id: UUID | Unset = UNSET,
    label: str | Unset = UNSET,
    parent_task_id: UUID | Unset = UNSET,
    cursor: UUID | Unset = UNSET,
    limit: int | Unset = UNSET,

) -> Problem | TaskPage | None:
    """ List tasks

     Newest first; pass `next_cursor` as `cursor` for the next page.

    Args:
        state (TaskState | Unset): Task states.
        agent (str | Unset):
        project_id (UUID | Unset):
        label (str | Unset):
        parent_task_id (UUID | Unset):
        cursor (UUID | Unset):
        limit (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskPage
     """


    return (await asyncio_detailed(
        client=client,
state=state,
agent=agent,
project_id=project_id,
label=label,
parent_task_id=parent_task_id,
cursor=cursor,
limit=limit,

    )).parsed
