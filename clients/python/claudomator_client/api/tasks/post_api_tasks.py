from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.create_task import CreateTask
from ...models.problem import Problem
from ...models.task_view import TaskView
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: CreateTask,
    run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key



    

    params: dict[str, Any] = {}

    params["run"] = run


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/tasks",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | TaskView | None:
    if response.status_code == 200:
        response_200 = TaskView.from_dict(response.json())



        return response_200

    if response.status_code == 201:
        response_201 = TaskView.from_dict(response.json())



        return response_201

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | TaskView]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateTask,
    run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,

) -> Response[Problem | TaskView]:
    """ Create a task

     JSON or the original task YAML (`application/yaml`). With `run=true` the task is
    submitted at once (QUEUED); otherwise it waits in PENDING for `POST /run`. A task for an
    agent type no live worker serves is still created; its `warnings` say so. An
    `Idempotency-Key` makes retries safe: the same key and body within 24 hours return the
    first task (200); the same key with another body is 409.

    Args:
        run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (CreateTask): A new task (JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskView]
     """


    kwargs = _get_kwargs(
        body=body,
run=run,
idempotency_key=idempotency_key,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: CreateTask,
    run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,

) -> Problem | TaskView | None:
    """ Create a task

     JSON or the original task YAML (`application/yaml`). With `run=true` the task is
    submitted at once (QUEUED); otherwise it waits in PENDING for `POST /run`. A task for an
    agent type no live worker serves is still created; its `warnings` say so. An
    `Idempotency-Key` makes retries safe: the same key and body within 24 hours return the
    first task (200); the same key with another body is 409.

    Args:
        run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (CreateTask): A new task (JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskView
     """


    return sync_detailed(
        client=client,
body=body,
run=run,
idempotency_key=idempotency_key,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreateTask,
    run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,

) -> Response[Problem | TaskView]:
    """ Create a task

     JSON or the original task YAML (`application/yaml`). With `run=true` the task is
    submitted at once (QUEUED); otherwise it waits in PENDING for `POST /run`. A task for an
    agent type no live worker serves is still created; its `warnings` say so. An
    `Idempotency-Key` makes retries safe: the same key and body within 24 hours return the
    first task (200); the same key with another body is 409.

    Args:
        run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (CreateTask): A new task (JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | TaskView]
     """


    kwargs = _get_kwargs(
        body=body,
run=run,
idempotency_key=idempotency_key,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreateTask,
    run: bool | Unset = False,
    idempotency_key: str | Unset = UNSET,

) -> Problem | TaskView | None:
    """ Create a task

     JSON or the original task YAML (`application/yaml`). With `run=true` the task is
    submitted at once (QUEUED); otherwise it waits in PENDING for `POST /run`. A task for an
    agent type no live worker serves is still created; its `warnings` say so. An
    `Idempotency-Key` makes retries safe: the same key and body within 24 hours return the
    first task (200); the same key with another body is 409.

    Args:
        run (bool | Unset):  Default: False.
        idempotency_key (str | Unset):
        body (CreateTask): A new task (JSON).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | TaskView
     """


    return (await asyncio_detailed(
        client=client,
body=body,
run=run,
idempotency_key=idempotency_key,

    )).parsed
