"""Runs credential steps on a live Milvus through pymilvus and returns each outcome in the
fixture's shape: {"ok": true[, "result": ...]} or {"ok": false, "code": N, "message": "..."}."""

import itertools
import logging

import grpc

from pymilvus import MilvusException, connections, utility

_probe_ids = itertools.count()

# pymilvus logs every refused call at ERROR; the outcomes are what the suites compare.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

#: Milvus 2.3.5's text for any refused login (and authgate.milvus_authorization's).
LOGIN_REFUSED = "auth check failure, please check username and password are correct"
NO_HEADER = "missing authorization in header"


class MilvusDriver:
    def __init__(self, port: int, alias: str = "admin"):
        self.port, self.alias = port, alias
        connections.connect(alias=alias, host="127.0.0.1", port=str(port), user="root", password="Milvus")

    def close(self):
        connections.disconnect(self.alias)

    def login(self, user: str, password: str):
        """(accepted, the refusal text or None)."""
        alias = f"probe{next(_probe_ids)}"
        try:
            connections.connect(alias=alias, host="127.0.0.1", port=str(self.port), user=user, password=password,
                                timeout=10)
            # A call that needs authentication, in case connecting alone did not check it.
            utility.list_collections(using=alias, timeout=10)
            return True, None
        except grpc.RpcError as e:
            # A refused login is UNAUTHENTICATED with one of these texts, nothing else (pymilvus
            # sends no header at all for an empty user or password).
            if e.code() != grpc.StatusCode.UNAUTHENTICATED or e.details() not in (LOGIN_REFUSED, NO_HEADER):
                raise
            return False, e.details()
        finally:
            connections.disconnect(alias)

    def run(self, step: dict) -> dict:
        op = step["op"]
        if op == "login":
            accepted, refusal = self.login(step["user"], step["password"])
            return {"ok": True, "result": accepted} if accepted else {"ok": True, "result": False, "refusal": refusal}
        try:
            if op == "create":
                utility.create_user(step["user"], step["password"], using=self.alias)
            elif op == "update":
                utility.update_password(step["user"], step["old"], step["new"], using=self.alias)
            elif op == "delete":
                utility.delete_user(step["user"], using=self.alias)
            elif op == "list":
                return {"ok": True, "result": list(utility.list_usernames(using=self.alias))}
            else:
                raise ValueError(f"unknown op {op}")
            return {"ok": True}
        except MilvusException as e:
            return {"ok": False, "code": e.code, "message": e.message}
