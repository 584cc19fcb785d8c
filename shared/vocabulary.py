"""Code lists of professional titles and review plans, shared by plans, applications and the UI.

Codes travel in APIs and events; the Chinese names are what people see. Order is display order."""
from __future__ import annotations

# 评审级别
LEVELS: dict[str, str] = {
    "senior_full": "正高级",
    "senior_associate": "副高级",
    "intermediate": "中级",
    "junior": "初级",
}

# 申报形式 (the manual: 常规申报、破格申报、转评申报)
FORMS: dict[str, str] = {
    "regular": "常规申报",
    "exceptional": "破格申报",
    "transfer": "转评申报",
}

# 计划类型
PLAN_TYPES: dict[str, str] = {
    "review": "职称评审",
    "special": "专项评审",
    "recognition": "考核认定",
}

# 系列
SERIES: dict[str, str] = {
    "engineering": "工程",
    "health": "卫生",
    "school_teacher": "中小学教师",
    "university_teacher": "高等学校教师",
    "vocational_teacher": "中等职业学校教师",
    "agriculture": "农业",
    "economics": "经济",
    "accounting": "会计",
    "statistics": "统计",
    "arts_crafts": "工艺美术",
    "journalism": "新闻",
    "publishing": "出版",
    "archives": "档案",
    "translation": "翻译",
}

# Who decides at a stage of a plan's review flow (评审环节): the stage's party (审核方).
PARTIES: dict[str, str] = {
    "unit": "用人单位",
    "department": "主管部门",
    "title_office": "职称管理部门",
    "organizer": "评委会组建单位",
    "committee": "评委会",
}

# The parties whose deciders a plan's administrators name, stage by stage. At a 用人单位 stage the
# unit's 经办人 decide, at a 主管部门 stage the department's staff: nobody is named per plan there.
ASSIGNABLE_PARTIES = ("title_office", "organizer", "committee")

# Where an application returned for changes (退回修改) starts again once resubmitted.
RESUBMIT_FROM: dict[str, str] = {
    "first": "从第一个审核环节",
    "returning": "从退回的环节",
}

# Sections of an application that only some series have (基本信息 → 专业信息, 业绩库 → 行业专用).
EXTRA_SECTIONS: dict[str, str] = {
    "school_teacher_profile": "中小学系列专业信息",
    "health_industry": "卫生系列行业专用",
}

# A plan's life: 草稿 → 已发布 → 已结束.
PLAN_STATUSES: dict[str, str] = {
    "draft": "草稿",
    "published": "已发布",
    "closed": "已结束",
}

# 评审表决: an expert's vote on an application assigned to them (votes.py; the 评审表决 page).
VOTE_CHOICES: dict[str, str] = {
    "agree": "同意",
    "disagree": "不同意",
    "abstain": "弃权",
}
