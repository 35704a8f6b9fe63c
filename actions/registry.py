"""Every action the domain declares, registered as an instance with its dependencies."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor

from actions.approvals import ActionApproveTransfer, ActionRejectTransfer
from actions.ask import ActionAskAmount, ActionAskCustomer, ActionAskDestination, ActionAskItem, ActionAskOrderDate
from actions.commands import ActionCancel, ActionConfirm, ActionReadBack, ActionSwitchCommand
from actions.corrections import ActionCorrect
from actions.deps import ActionDeps
from actions.forms import ValidateSalesOrderForm, ValidateTransferForm
from actions.queries import (
    ActionCheckStock,
    ActionDispatchAgv,
    ActionFallback,
    ActionGreet,
    ActionHelp,
    ActionOutOfScope,
)

ACTION_TYPES = (
    ValidateTransferForm, ValidateSalesOrderForm,
    ActionAskItem, ActionAskAmount, ActionAskDestination, ActionAskCustomer, ActionAskOrderDate,
    ActionReadBack, ActionConfirm, ActionCancel, ActionSwitchCommand, ActionApproveTransfer, ActionRejectTransfer,
    ActionCorrect, ActionCheckStock, ActionDispatchAgv, ActionGreet, ActionHelp, ActionOutOfScope, ActionFallback,
)


def build_executor(deps: ActionDeps) -> ActionExecutor:
    executor = ActionExecutor()
    for action_type in ACTION_TYPES:
        executor.register_action(action_type(deps))
    return executor
