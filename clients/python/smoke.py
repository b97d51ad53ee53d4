"""Smoke test of the generated Python client against a live server with a worker.

    CLAUDOMATOR_URL=http://127.0.0.1:8080 CLAUDOMATOR_TOKEN=... python smoke.py

Uses only `exec` tasks running `sh`, so no model is called. Exits non-zero on the first failure.
The integration test `clients::the_python_client_drives_a_live_server` runs it.
"""

import os
import sys
import time
import uuid

from claudomator_client import AuthenticatedClient
from claudomator_client.api.tasks import (
    get_api_tasks,
    get_api_tasks_id,
    get_api_tasks_id_events,
    get_api_tasks_id_executions,
    post_api_tasks,
    post_api_tasks_batch,
    post_api_tasks_id_answer,
    post_api_tasks_id_cancel,
)
from claudomator_client.models import (
    AnswerBody,
    CreateTask,
    CreateTaskBatch,
    ExecOptions,
    Problem,
    TaskPage,
    TaskState,
    TaskView,
)
from claudomator_client.types import UNSET

ASK = (
    'if [ -z "$CLAUDOMATOR_ANSWER" ]; then '
    "printf '{\"text\": \"Which colour?\", \"options\": [\"red\", \"blue\"]}' > \"$CLAUDOMATOR_QUESTION_FILE\"; "
    'else echo "answered: $CLAUDOMATOR_ANSWER"; fi'
)


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def exec_task(title, script, **kw):
    return CreateTask(title=title, agent="exec", exec_=ExecOptions(argv=["sh", "-c", script]), **kw)


def wait_state(client, task_id, state, deadline=60.0):
    end = time.monotonic() + deadline
    while True:
        t = get_api_tasks_id.sync(task_id, client=client)
        check(isinstance(t, TaskView), f"get {task_id}: {t!r}")
        if t.state == state:
            return t
        check(time.monotonic() < end, f"task {task_id} to be {state.value} (is {t.state.value})")
        time.sleep(0.1)  # polling interval, not a wait for something to happen


def main():
    client = AuthenticatedClient(
        base_url=os.environ["CLAUDOMATOR_URL"],
        token=os.environ["CLAUDOMATOR_TOKEN"],
        raise_on_unexpected_status=True,
    )
    label = f"smoke-{uuid.uuid4().hex[:8]}"

    # Create (JSON), run at once, follow it to its end.
    created = post_api_tasks.sync(client=client, body=exec_task("hello", "echo hello", labels=[label]), run=True)
    check(isinstance(created, TaskView), f"create: {created!r}")
    check(created.project_id is UNSET, "a task without a project has no project_id")
    done = wait_state(client, created.id, TaskState.COMPLETED)
    check(done.attempt == 1, f"attempt {done.attempt}")

    # Batch create.
    batch = post_api_tasks_batch.sync(
        client=client,
        body=CreateTaskBatch(tasks=[exec_task(f"b{i}", "true", labels=[label]) for i in range(3)]),
    )
    check(batch is not None and not isinstance(batch, Problem) and len(batch.ids) == 3, f"batch: {batch!r}")

    # List with paging: 4 tasks with this label, 3 per page.
    first = get_api_tasks.sync(client=client, label=label, limit=3)
    check(isinstance(first, TaskPage) and len(first.items) == 3, f"page 1: {first!r}")
    check(first.next_cursor is not UNSET, "page 1 has a next_cursor")
    second = get_api_tasks.sync(client=client, label=label, limit=3, cursor=first.next_cursor)
    check(isinstance(second, TaskPage) and len(second.items) == 1, f"page 2: {second!r}")
    ids = {t.id for t in first.items} | {t.id for t in second.items}
    check(ids == {created.id, *batch.ids}, "the two pages hold the four tasks")

    # Events and executions.
    events = get_api_tasks_id_events.sync(created.id, client=client)
    kinds = [e.event for e in events] if isinstance(events, list) else []
    check(kinds[:1] == ["create"] and kinds[-1:] == ["succeed"], f"events: {events!r}")
    check(events[0].from_ is UNSET, "the creation event has no from")
    executions = get_api_tasks_id_executions.sync(created.id, client=client)
    check(isinstance(executions, list) and len(executions) == 1, f"executions: {executions!r}")
    check(executions[0].output == "hello\n", f"output {executions[0].output!r}")

    # A task asks a question (BLOCKED); answer it.
    asker = post_api_tasks.sync(client=client, body=exec_task("ask", ASK), run=True)
    check(isinstance(asker, TaskView), f"create asker: {asker!r}")
    blocked = wait_state(client, asker.id, TaskState.BLOCKED)
    check(blocked.question.text == "Which colour?", f"question {blocked.question!r}")
    answered = post_api_tasks_id_answer.sync(asker.id, client=client, body=AnswerBody(answer="blue"))
    check(isinstance(answered, TaskView) and answered.state == TaskState.QUEUED, f"answer: {answered!r}")
    wait_state(client, asker.id, TaskState.COMPLETED)

    # Cancel a pending task.
    pending = post_api_tasks.sync(client=client, body=exec_task("later", "true"))
    check(isinstance(pending, TaskView) and pending.state == TaskState.PENDING, f"pending: {pending!r}")
    cancelled = post_api_tasks_id_cancel.sync(pending.id, client=client)
    check(isinstance(cancelled, TaskView) and cancelled.state == TaskState.CANCELLED, f"cancel: {cancelled!r}")

    # Errors come back as Problem objects.
    missing = get_api_tasks_id.sync(uuid.uuid4(), client=client)
    check(isinstance(missing, Problem) and missing.status == 404, f"404: {missing!r}")
    conflict = post_api_tasks_id_answer.sync(created.id, client=client, body=AnswerBody(answer="red"))
    check(isinstance(conflict, Problem) and conflict.status == 409, f"409: {conflict!r}")
    check(conflict.current_state == "COMPLETED", f"409 current_state {conflict.current_state!r}")
    invalid = post_api_tasks.sync(client=client, body=CreateTask(title="", agent="exec"))
    check(isinstance(invalid, Problem) and invalid.status == 422, f"422: {invalid!r}")
    check(invalid.errors is not UNSET and len(invalid.errors) >= 1, f"422 errors {invalid.errors!r}")

    print("python client smoke test: ok")


if __name__ == "__main__":
    main()
