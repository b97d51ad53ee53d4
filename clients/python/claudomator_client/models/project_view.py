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






T = TypeVar("T", bound="ProjectView")



@_attrs_define
class ProjectView:
    """ A project.

        Attributes:
            id (UUID): Id.
            name (str): Unique name.
            default_branch (str): Branch work merges into.
            has_webhook_secret (bool): Whether a webhook secret is set (the secret itself is never shown).
            default_agent (str): Agent of tasks created for this project.
            created_at (datetime.datetime): Created.
            repository (str | Unset): Clone URL or path.
            github_repo (str | Unset): GitHub `owner/name` whose webhooks are accepted.
            gitlab_project (str | Unset): GitLab `group/name` whose webhooks are accepted.
            default_model (str | Unset): Model of those tasks.
            max_running (int | Unset): Running limit (stored; not enforced yet).
            deploy_command (list[str] | Unset): Argv run in a clone of the default branch after a story is merged (no
                shell).
     """

    id: UUID
    name: str
    default_branch: str
    has_webhook_secret: bool
    default_agent: str
    created_at: datetime.datetime
    repository: str | Unset = UNSET
    github_repo: str | Unset = UNSET
    gitlab_project: str | Unset = UNSET
    default_model: str | Unset = UNSET
    max_running: int | Unset = UNSET
    deploy_command: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        name = self.name

        default_branch = self.default_branch

        has_webhook_secret = self.has_webhook_secret

        default_agent = self.default_agent

        created_at = self.created_at.isoformat()

        repository = self.repository

        github_repo = self.github_repo

        gitlab_project = self.gitlab_project

        default_model = self.default_model

        max_running = self.max_running

        deploy_command: list[str] | Unset = UNSET
        if not isinstance(self.deploy_command, Unset):
            deploy_command = self.deploy_command




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "name": name,
            "default_branch": default_branch,
            "has_webhook_secret": has_webhook_secret,
            "default_agent": default_agent,
            "created_at": created_at,
        })
        if repository is not UNSET:
            field_dict["repository"] = repository
        if github_repo is not UNSET:
            field_dict["github_repo"] = github_repo
        if gitlab_project is not UNSET:
            field_dict["gitlab_project"] = gitlab_project
        if default_model is not UNSET:
            field_dict["default_model"] = default_model
        if max_running is not UNSET:
            field_dict["max_running"] = max_running
        if deploy_command is not UNSET:
            field_dict["deploy_command"] = deploy_command

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))




        name = d.pop("name")

        default_branch = d.pop("default_branch")

        has_webhook_secret = d.pop("has_webhook_secret")

        default_agent = d.pop("default_agent")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))




        repository = d.pop("repository", UNSET)

        github_repo = d.pop("github_repo", UNSET)

        gitlab_project = d.pop("gitlab_project", UNSET)

        default_model = d.pop("default_model", UNSET)

        max_running = d.pop("max_running", UNSET)

        deploy_command = cast(list[str], d.pop("deploy_command", UNSET))


        project_view = cls(
            id=id,
            name=name,
            default_branch=default_branch,
            has_webhook_secret=has_webhook_secret,
            default_agent=default_agent,
            created_at=created_at,
            repository=repository,
            github_repo=github_repo,
            gitlab_project=gitlab_project,
            default_model=default_model,
            max_running=max_running,
            deploy_command=deploy_command,
        )


        project_view.additional_properties = d
        return project_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
