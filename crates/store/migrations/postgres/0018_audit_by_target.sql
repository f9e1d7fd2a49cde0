-- A case page's event trail reads the audit entries of one case (`target = 'case:<id>'`).
CREATE INDEX audit_log_target ON audit_log(target, id);
