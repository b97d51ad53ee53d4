""" Contains all the data models used in inputs/outputs """

from .agent_patch_body import AgentPatchBody
from .agent_view import AgentView
from .answer_body import AnswerBody
from .assessment_view import AssessmentView
from .changes_view import ChangesView
from .clarity import Clarity
from .create_project import CreateProject
from .create_story import CreateStory
from .create_story_task import CreateStoryTask
from .create_task import CreateTask
from .create_task_batch import CreateTaskBatch
from .create_token import CreateToken
from .created_batch import CreatedBatch
from .created_token import CreatedToken
from .elaborate_body import ElaborateBody
from .elaborate_story_body import ElaborateStoryBody
from .event_view import EventView
from .exec_options import ExecOptions
from .execution_view import ExecutionView
from .feedback_kind import FeedbackKind
from .feedback_view import FeedbackView
from .field_problem import FieldProblem
from .health import Health
from .log_event import LogEvent
from .me import Me
from .patch_project import PatchProject
from .problem import Problem
from .project_view import ProjectView
from .question_item import QuestionItem
from .question_view import QuestionView
from .reject_body import RejectBody
from .role import Role
from .severity import Severity
from .story_draft_view import StoryDraftView
from .story_history_view import StoryHistoryView
from .story_task_draft_view import StoryTaskDraftView
from .story_task_view import StoryTaskView
from .story_view import StoryView
from .subscribe_body import SubscribeBody
from .subscription_keys_body import SubscriptionKeysBody
from .subscription_view import SubscriptionView
from .task_event_view import TaskEventView
from .task_page import TaskPage
from .task_proposal_view import TaskProposalView
from .task_state import TaskState
from .task_view import TaskView
from .task_yaml import TaskYaml
from .token_view import TokenView
from .validate_body import ValidateBody
from .vapid_public_key import VapidPublicKey
from .webhook_result import WebhookResult
from .worker_view import WorkerView
from .yaml_agent import YamlAgent
from .yaml_retry import YamlRetry

__all__ = (
    "AgentPatchBody",
    "AgentView",
    "AnswerBody",
    "AssessmentView",
    "ChangesView",
    "Clarity",
    "CreatedBatch",
    "CreatedToken",
    "CreateProject",
    "CreateStory",
    "CreateStoryTask",
    "CreateTask",
    "CreateTaskBatch",
    "CreateToken",
    "ElaborateBody",
    "ElaborateStoryBody",
    "EventView",
    "ExecOptions",
    "ExecutionView",
    "FeedbackKind",
    "FeedbackView",
    "FieldProblem",
    "Health",
    "LogEvent",
    "Me",
    "PatchProject",
    "Problem",
    "ProjectView",
    "QuestionItem",
    "QuestionView",
    "RejectBody",
    "Role",
    "Severity",
    "StoryDraftView",
    "StoryHistoryView",
    "StoryTaskDraftView",
    "StoryTaskView",
    "StoryView",
    "SubscribeBody",
    "SubscriptionKeysBody",
    "SubscriptionView",
    "TaskEventView",
    "TaskPage",
    "TaskProposalView",
    "TaskState",
    "TaskView",
    "TaskYaml",
    "TokenView",
    "ValidateBody",
    "VapidPublicKey",
    "WebhookResult",
    "WorkerView",
    "YamlAgent",
    "YamlRetry",
)
