"""The typed contracts of jupyter_server_core.contracts fit the real services.

mypy checks ServerApp against ExtensionServer statically (contracts.py); here the running
managers are checked against the service protocols, as an extension would receive them.
"""

from __future__ import annotations

from jupyter_server_core.contracts import IdentityService, KernelService, SessionService


async def test_running_services_fit_their_protocols(jp_serverapp):
    assert isinstance(jp_serverapp.kernel_manager, KernelService)
    assert isinstance(jp_serverapp.session_manager, SessionService)
    assert isinstance(jp_serverapp.identity_provider, IdentityService)


async def test_a_service_missing_a_member_does_not_fit():
    class HalfKernels:
        def list_kernel_ids(self) -> list[str]:
            return []

    assert not isinstance(HalfKernels(), KernelService)
