"""Generated documents: 专业技术资格评审表, 破格审批表, 转评申报表, 准考证 and 电子职称证书 as
print-ready PDFs, rendered from the applications' events (handlers), kept in the bucket under
generated/ (generated), linked for whoever applications lets see them (routes)."""
