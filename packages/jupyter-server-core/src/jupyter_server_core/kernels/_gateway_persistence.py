"""Kernel persistence with a gateway: the kernels live there, the records and sessions here.

A gateway (``GatewayClient.url``) already keeps its kernels running whatever happens to
this server; what a restart loses is which of them this server started (its *owned*
kernels) and the sessions bound to them. With ``enable_persistence`` both are in the
kernel store: a row per owned kernel (no connection info, the gateway is the way in) and
the session table. On start the kernels are listed from the gateway again; recorded ones
it still runs are owned again, the others are dropped.
"""

from __future__ import annotations

from typing import Any

from ._record import KernelRecord
from ._store import KernelStore, StoredKernel

__all__ = ["GATEWAY_PROVISIONER", "adopt_gateway_kernels", "gateway_row"]

#: ``provisioner_name`` of a gateway kernel's row.
GATEWAY_PROVISIONER = "gateway"


def gateway_row(record: KernelRecord, gateway_url: str) -> StoredKernel:
    """The store row of a kernel the gateway runs for us."""
    return StoredKernel(
        record.kernel_id, record.kernel_name, record.cwd, "", {},
        {"provisioner_name": GATEWAY_PROVISIONER, "gateway_url": gateway_url},
        record.last_activity.isoformat(), record.execution_state,
    )


async def adopt_gateway_kernels(mkm: Any, store: KernelStore) -> int:
    """List the gateway's kernels; own again the recorded ones it runs. Returns how many.

    ``mkm`` is the GatewayMappingKernelManager. A gateway that does not answer keeps every
    row (they are checked at the next start) and adopts nothing now.
    """
    try:
        await mkm.refresh_kernels()
    except Exception as exc:  # noqa: BLE001 - GatewayError and friends: start anyway
        mkm.log.warning("Kernel persistence: the gateway did not list its kernels (%s); none adopted", exc)
        return 0
    adopted = 0
    for stored in store.all():
        if stored.provisioner_info.get("provisioner_name") != GATEWAY_PROVISIONER:
            continue
        if stored.kernel_id not in mkm._records:
            mkm.log.info("Kernel %s (%s) is no longer on the gateway; dropping its record",
                         stored.kernel_id, stored.kernel_name)
            store.delete(stored.kernel_id)
            continue
        mkm._owned.add(stored.kernel_id)
        mkm.log.info("Kernel adopted: %s (%s) on the gateway", stored.kernel_id, stored.kernel_name)
        adopted += 1
    if adopted:
        mkm.start_culling()
    return adopted
