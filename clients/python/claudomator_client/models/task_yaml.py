from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.yaml_agent import YamlAgent
  from ..models.yaml_retry import YamlRetry





T = TypeVar("T", bound="TaskYaml")



@_attrs_define
class TaskYaml:
    """ A new task in the original claudomator YAML shape. Unknown keys are refused (422, every
    one named) rather than dropped.

        Attributes:
            name (str): Title.
            agent (YamlAgent): The `agent:` block of the original task YAML (`claude:` is accepted as its old name).
            description (str | Unset): Description.
            timeout (str | Unset): Duration like `30m`.
            priority (str | Unset): `high`, `normal` or `low`.
            tags (list[str] | Unset): Labels.
            depends_on (list[UUID] | Unset): Prerequisites.
            parent_task_id (UUID | Unset): Parent task.
            retry (YamlRetry | Unset): The `retry:` block of the original task YAML.
            run_at (datetime.datetime | Unset): Earliest start.
            review (bool | Unset): Review success before completing.
            project_id (UUID | Unset): Project.
            acceptance_criteria (list[str] | Unset): Checkable statements; appended to the instructions as an "Acceptance
                criteria" list.
     """

    name: str
    agent: YamlAgent
    description: str | Unset = UNSET
    timeout: str | Unset = UNSET
    priority: str | Unset = UNSET
    tags: list[str] | Unset = UNSET
    depends_on: list[UUID] | Unset = UNSET
    parent_task_id: UUID | Unset = UNSET
    retry: YamlRetry | Unset = UNSET
    run_at: datetime.datetime | Unset = UNSET
    review: bool | Unset = UNSET
    project_id: UUID | Unset = UNSET
    acceptance_criteria: list[str] | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.yaml_agent import YamlAgent # noqa: PLC0415
        from ..models.yaml_retry import YamlRetry # noqa: PLC0415
        name = self.name

        agent = self.agent.to_dict()

        description = self.description

        timeout = self.timeout

        priority = self.priority

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags



        depends_on: list[str] | Unset = UNSET
        if not isinstance(self.depends_on, Unset):
            depends_on = []
            for depends_on_item_data in self.depends_on:
                depends_on_item = str(depends_on_item_data)
                depends_on.append(depends_on_item)



        parent_task_id: str | Unset = UNSET
        if not isinstance(self.parent_task_id, Unset):
            parent_task_id = str(self.parent_task_id)

        retry: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retry, Unset):
            retry = self.retry.to_dict()

        run_at: str | Unset = UNSET
        if not isinstance(self.run_at, Unset):
            run_at = self.run_at.isoformat()

        review = self.review

        project_id: str | Unset = UNSET
        if not isinstance(self.project_id, Unset):
            project_id = str(self.project_id)

        acceptance_criteria: list[str] | Unset = UNSET
        if not isinstance(self.acceptance_criteria, Unset):
            acceptance_criteria = self.acceptance_criteria




        field_dict: dict[str, Any] = {}

        field_dict.update({
            "name": name,
            "agent": agent,
        })
        if description is not UNSET:
            field_dict["description"] = description
        if timeout is not UNSET:
            field_dict["timeout"] = timeout
        if priority is not UNSET:
            field_dict["priority"] = priority
        if tags is not UNSET:
            field_dict["tags"] = tags
        if depends_on is not UNSET:
            field_dict["depends_on"] = depends_on
        if parent_task_id is not UNSET:
            field_dict["parent_task_id"] = parent_task_id
        if retry is not UNSET:
            field_dict["retry"] = retry
        if run_at is not UNSET:
            field_dict["run_at"] = run_at
        if review is not UNSET:
            field_dict["review"] = review
        if project_id is not UNSET:
            field_dict["project_id"] = project_id
        if acceptance_criteria is not UNSET:
            field_dict["acceptance_criteria"] = acceptance_criteria

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.yaml_agent import YamlAgent # noqa: PLC0415
        from ..models.yaml_retry import YamlRetry # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        agent = YamlAgent.from_dict(d.pop("agent"))




        description = d.pop("description", UNSET)

        timeout = d.pop("timeout", UNSET)

        priority = d.pop("priority", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))


        _depends_on = d.pop("depends_on", UNSET)
        depends_on: list[UUID] | Unset = UNSET
        if _depends_on is not UNSET:
            depends_on = []
            for depends_on_item_data in _depends_on:
                depends_on_item = UUID(depends_on_item_data)



                depends_on.append(depends_on_item)


        _parent_task_id = d.pop("parent_task_id", UNSET)
        parent_task_id: UUID | Unset
        if isinstance(_parent_task_id,  Unset):
            parent_task_id = UNSET
        else:
            parent_task_id = UUID(_parent_task_id)




        _retry = d.pop("retry", UNSET)
        retry: YamlRetry | Unset
        if isinstance(_retry,  Unset):
            retry = UNSET
        else:
            retry = YamlRetry.from_dict(_retry)




        _run_at = d.pop("run_at", UNSET)
        run_at: datetime.datetime | Unset
        if isinstance(_run_at,  Unset):
            run_at = UNSET
        else:
            run_at = datetime.datetime.fromisoformat(_run_at)




        review = d.pop("review", UNSET)

        _project_id = d.pop("project_id", UNSET)
        project_id: UUID | Unset
        if isinstance(_project_id,  Unset):
            project_id = UNSET
        else:
            project_id = UUID(_project_id)




        acceptance_criteria = cast(list[str], d.pop("acceptance_criteria", UNSET))


        task_yaml = cls(
            name=name,
            agent=agent,
            description=description,
            timeout=timeout,
            priority=priority,
            tags=tags,
            depends_on=depends_on,
            parent_task_id=parent_task_id,
            retry=retry,
            run_at=run_at,
            review=review,
            project_id=project_id,
            acceptance_criteria=acceptance_criteria,
        )

        return task_yaml

