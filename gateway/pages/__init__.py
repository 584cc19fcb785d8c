"""The browser UI, one module per area; each has a ``router``."""
from gateway.pages import account, applications, files, library, me, operator, plans, units, verify
from shared.errors import register_labels

ROUTERS = [account.router, *applications.ROUTERS, files.router, library.router, me.router, operator.router, plans.router,
           units.router, verify.router]

# The Chinese names of the pages' own parameters (a refused value names the field; see shared.inputs).
register_labels({
    "q": "单位名称", "type": "业绩类型", "kind": "附件类型", "chosen": "已选附件", "file_id": "附件", "entry_id": "业绩",
    "binding_id": "绑定申请", "plan_id": "评审计划", "action": "操作", "copy": "复制的计划", "error": "提示",
    "level": "评审级别", "plan_type": "计划类型", "year": "评审年度", "unit_id": "工作单位", "note": "申请说明",
    "reason": "原因", "display_name": "附件名称", "credit_code": "统一社会信用代码",
    "contact_name": "联系人", "contact_phone": "联系电话", "department_code": "主管部门", "status": "状态",
    "application_id": "申报", "item_id": "导入记录", "section": "申报栏目", "op": "操作", "which": "栏目",
    "next": "登录后返回的页面", "view": "列表", "code": "主管部门", "person_id": "人员",
    "stage": "评审环节", "stage_id": "评审环节", "number": "证书编号", "certificate_id": "职称证书",
    "notice_id": "公示", "objection_id": "异议", "entry": "公示对象",
})
