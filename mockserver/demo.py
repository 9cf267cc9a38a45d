"""Deterministic demo data, made through the same runtime paths a client's calls take.

The shipped BPMN processes are deployed (one of them twice, for a second version, and one
for a tenant), then instances are started with faker business keys and variables and moved
on: some finished, some cancelled, some suspended, some with failed jobs or external tasks.
The same seed always gives the same ids and data.
"""

from __future__ import annotations

from importlib import resources

from faker import Faker

from .bpmn import parse_bpmn
from .models import TypedValue
from .runtime import ProcessRuntime
from .store import EngineStore

DEMO_TENANT = "tenant-emea"


def shipped_process(name: str) -> bytes:
    """The bytes of a BPMN file shipped in ``mockserver/processes``."""
    return (resources.files("mockserver") / "processes" / name).read_bytes()


def load_demo_data(store: EngineStore, runtime: ProcessRuntime) -> None:
    """Fill an empty store with a few hundred instances in every state the batches act on."""
    faker = Faker()
    faker.seed_instance(store.seed)
    pick = store.random

    invoice = parse_bpmn(shipped_process("invoice.bpmn"), "invoice.bpmn")
    order = parse_bpmn(shipped_process("order.bpmn"), "order.bpmn")
    reminder = parse_bpmn(shipped_process("reminder.bpmn"), "reminder.bpmn")
    invoice_v1 = runtime.deploy(invoice, name="invoice-1.0", source="demo")
    invoice_v2 = runtime.deploy(invoice, name="invoice-1.1", source="demo")
    orders = runtime.deploy(order, name="orders", source="demo")
    reminders = runtime.deploy(reminder, name="reminders", tenant_id=DEMO_TENANT, source="demo")

    def variables() -> dict[str, TypedValue]:
        return {
            "customer": TypedValue("String", faker.name()),
            "amount": TypedValue("Double", round(pick.uniform(10, 5000), 2)),
            "approved": TypedValue("Boolean", pick.random() < 0.7),
            "priority": TypedValue("Integer", pick.randint(1, 5)),
        }

    for deployment, count in ((invoice_v1, 60), (invoice_v2, 90), (orders, 120), (reminders, 50)):
        definition = store.definitions[deployment.definition_ids[0]]
        for _ in range(count):
            instance = runtime.start(
                definition, business_key=faker.bothify("????-#####").upper(), variables=variables()
            )
            roll = pick.random()
            if roll < 0.25:  # move on one step: complete the first user or external task
                for user_task in list(store.user_tasks.values()):
                    if user_task.process_instance_id == instance.id:
                        runtime.complete_user_task(user_task)
                        break
                for external_task in list(store.external_tasks.values()):
                    if external_task.process_instance_id == instance.id:
                        runtime.complete_external_task(external_task)
                        break
            elif roll < 0.33:
                runtime.cancel(instance, reason="cancelled in the demo")
            elif roll < 0.43:
                runtime.set_suspended(instance, True)
            elif roll < 0.50:
                for external_task in store.external_tasks_of_instance(instance.id):
                    message = faker.sentence(nb_words=6)
                    runtime.fail_external_task(external_task, message, retries=0)

    # Make some card charges fail for good, as a broken payment service would.
    charges = [j for j in store.jobs.values() if j.job_definition.activity_id == "chargeCard"]
    for job in charges[::4]:
        job.exception_message = "Connection refused: payment-gateway"
        runtime.set_job_retries(job, 0)
