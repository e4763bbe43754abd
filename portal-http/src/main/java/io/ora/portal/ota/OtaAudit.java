package io.ora.portal.ota;

import io.ora.portal.audit.AuditLog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/** OTA actions in the one audit log, with no organisation: releases and rollouts belong to none. */
final class OtaAudit {

    private OtaAudit() {
    }

    static void append(Connection c, UUID actor, AuditLog.Action action, String target) throws SQLException {
        AuditLog.append(c, null, null, actor, action, target);
    }
}
