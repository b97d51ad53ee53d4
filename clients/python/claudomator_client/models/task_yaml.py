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
            description (None | str | Unset): Description.
            timeout (None | str | Unset): Duration like `30m`.
            priority (None | str | Unset): `high`, `normal` or `low`.
            tags (list[str] | None | Unset): Labels.
            depends_on (list[UUID] | None | Unset): Prerequisites.
            parent_task_id (None | Unset | UUID): Parent task.
            retry (None | Unset | YamlRetry): Retry policy.
            run_at (datetime.datetime | None | Unset): Earliest start.
            review (bool | None | Unset): Review success before completing.
            project_id (None | Unset | UUID): Project.
            acceptance_criteria (list[str] | None | Unset): Checkable statements; appended to the instructions as an
                "Acceptance criteria" list.
     """

    name: str
    agent: YamlAgent
    description: None | str | Unset = UNSET
    timeout: None | str | Unset = UNSET
    priority: None | str | Unset = UNSET
    tags: list[str] | None | Unset = UNSET
    depends_on: list[UUID] | None | Unset = UNSET
    parent_task_id: None | Unset | UUID = UNSET
    retry: None | Unset | YamlRetry = UNSET
    run_at: datetime.datetime | None | Unset = UNSET
    review: bool | None | Unset = UNSET
    project_id: None | Unset | UUID = UNSET
    acceptance_criteria: list[str] | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.yaml_agent import YamlAgent # noqa: PLC0415
        from ..models.yaml_retry import YamlRetry # noqa: PLC0415
        name = self.name

        agent = self.agent.to_dict()

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        timeout: None | str | Unset
        if isinstance(self.timeout, Unset):
            timeout = UNSET
        else:
            timeout = self.timeout

        priority: None | str | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags


        else:
            tags = self.tags

        depends_on: list[str] | None | Unset
        if isinstance(self.depends_on, Unset):
            depends_on = UNSET
        elif isinstance(self.depends_on, list):
            depends_on = []
            for depends_on_type_0_item_data in self.depends_on:
                depends_on_type_0_item = str(depends_on_type_0_item_data)
                depends_on.append(depends_on_type_0_item)


        else:
            depends_on = self.depends_on

        parent_task_id: None | str | Unset
        if isinstance(self.parent_task_id, Unset):
            parent_task_id = UNSET
        elif isinstance(self.parent_task_id, UUID):
            parent_task_id = str(self.parent_task_id)
        else:
            parent_task_id = self.parent_task_id

        retry: dict[str, Any] | None | Unset
        if isinstance(self.retry, Unset):
            retry = UNSET
        elif isinstance(self.retry, YamlRetry):
            retry = self.retry.to_dict()
        else:
            retry = self.retry

        run_at: None | str | Unset
        if isinstance(self.run_at, Unset):
            run_at = UNSET
        elif isinstance(self.run_at, datetime.datetime):
            run_at = self.run_at.isoformat()
        else:
            run_at = self.run_at

        review: bool | None | Unset
        if isinstance(self.review, Unset):
            review = UNSET
        else:
            review = self.review

        project_id: None | str | Unset
        if isinstance(self.project_id, Unset):
            project_id = UNSET
        elif isinstance(self.project_id, UUID):
            project_id = str(self.project_id)
        else:
            project_id = self.project_id

        acceptance_criteria: list[str] | None | Unset
        if isinstance(self.acceptance_criteria, Unset):
            acceptance_criteria = UNSET
        elif isinstance(self.acceptance_criteria, list):
            acceptance_criteria = self.acceptance_criteria


        else:
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




        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))


        def _parse_timeout(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timeout = _parse_timeout(d.pop("timeout", UNSET))


        def _parse_priority(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))


        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))


        def _parse_depends_on(data: object) -> list[UUID] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                depends_on_type_0 = []
                _depends_on_type_0 = data
                for depends_on_type_0_item_data in (_depends_on_type_0):
                    depends_on_type_0_item = UUID(depends_on_type_0_item_data)



                    depends_on_type_0.append(depends_on_type_0_item)

                return depends_on_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UUID] | None | Unset, data)

        depends_on = _parse_depends_on(d.pop("depends_on", UNSET))


        def _parse_parent_task_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                parent_task_id_type_0 = UUID(data)



                return parent_task_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        parent_task_id = _parse_parent_task_id(d.pop("parent_task_id", UNSET))


        def _parse_retry(data: object) -> None | Unset | YamlRetry:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                retry_type_1 = YamlRetry.from_dict(data)



                return retry_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | YamlRetry, data)

        retry = _parse_retry(d.pop("retry", UNSET))


        def _parse_run_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                run_at_type_0 = datetime.datetime.fromisoformat(data)



                return run_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        run_at = _parse_run_at(d.pop("run_at", UNSET))


        def _parse_review(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        review = _parse_review(d.pop("review", UNSET))


        def _parse_project_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                project_id_type_0 = UUID(data)



                return project_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        project_id = _parse_project_id(d.pop("project_id", UNSET))


        def _parse_acceptance_criteria(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                acceptance_criteria_type_0 = cast(list[str], data)

                return acceptance_criteria_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        acceptance_criteria = _parse_acceptance_criteria(d.pop("acceptance_criteria", UNSET))


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

