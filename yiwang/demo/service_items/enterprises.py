"""Items for businesses: market entry and licences (市场监管), investment projects, trade, tax, science, finance."""

from __future__ import annotations

from yiwang.demo.service_items.common import (
    AGENT_MANDATE,
    APPROVAL,
    BOTH,
    BUSINESS_LICENSE,
    CONFIRMATION,
    DEVOLVED,
    ENTERPRISE,
    ENTITY_RECORD,
    ENTRUSTED,
    ID_CARD,
    LICENSING,
    NATURAL,
    OTHER,
    OTHER_POWER,
    PUBLIC_SERVICE,
    REPRESENTATIVE_ID,
    DemoItem,
    applicant,
    business_license_form,
    fetched_license,
    id_card,
    registered,
)

MARKET = "市场监督管理局"
REGISTRATION_RULES = "《中华人民共和国市场主体登记管理条例》第三条、第十九条"
FOOD_LICENSE = fetched_license("食品经营许可证", "food-business-license")
# The 食品经营许可证's elements (demo/licenses.py): who from the registry, where and what from the applicant.
FOOD_LICENSE_FORM = {
    "type": "object",
    "properties": {
        "name": registered("name", "经营者名称", maxLength=200),
        "legal_representative": registered("legal_representative", "法定代表人（负责人）", maxLength=50),
        "address": registered("address", "住所", maxLength=200),
        "premises": {
            "type": "string",
            "title": "经营场所",
            "maxLength": 200,
            "description": "实际从事食品经营活动的地址，写到门牌号",
        },
        "business_form": {
            "type": "string",
            "title": "主体业态",
            "enum": ["食品销售经营者", "餐饮服务经营者", "集中用餐单位食堂"],
        },
        "business_items": {
            "type": "string",
            "title": "经营项目",
            "maxLength": 500,
            "description": "如：预包装食品销售（含冷藏冷冻食品）；热食类食品制售",
        },
    },
    "required": ["name", "legal_representative", "address", "premises", "business_form", "business_items"],
}

# A registration of a new entity (设立登记) names no license type although it results in a 营业执照: the platform
# issues a license to the applicant or to an enterprise they already act for, and the new entity is neither yet.
# The changes of registration name it, and re-issue the enterprise's 营业执照 with the answers.
# fmt: off
MARKET_ITEMS = (
    DemoItem(
        MARKET, 1, "个体工商户设立登记", LICENSING,
        f"《促进个体工商户发展条例》第八条；{REGISTRATION_RULES}；《中华人民共和国市场主体登记管理条例实施细则》",
        3, 0, BOTH,
        "有经营能力的自然人或者家庭，经营场所符合规定，名称不与已登记的个体工商户名称相同",
        (
            applicant("个体工商户登记（备案）申请书", form="electronic"),
            id_card("经营者"),
            applicant("经营场所使用证明（房屋租赁合同或者不动产权证书）"),
            AGENT_MANDATE,
        ),
        "营业执照（个体工商户）",
        handling=("设立登记（经营者本人申请）", "设立登记（委托代理人申请）"),
    ),
    DemoItem(
        MARKET, 2, "个体工商户变更登记", LICENSING, REGISTRATION_RULES, 3, 0, BOTH,
        "已登记的个体工商户的名称、经营者、经营范围、经营场所等登记事项发生变化",
        (applicant("个体工商户变更登记申请书", form="electronic"), BUSINESS_LICENSE, id_card("经营者")),
        "营业执照（个体工商户）",
        handling=("变更名称", "变更经营范围", "变更经营场所", "变更经营者"),
        form=business_license_form(representative="经营者", address="经营场所"), license_type="business-license",
    ),
    DemoItem(
        MARKET, 3, "个体工商户注销登记", LICENSING,
        f"{REGISTRATION_RULES}；《中华人民共和国市场主体登记管理条例》第三十一条", 3, 0, BOTH,
        "个体工商户终止经营，已结清债权债务、缴清税款",
        (applicant("个体工商户注销登记申请书", form="electronic"), BUSINESS_LICENSE, id_card("经营者")),
        "准予注销登记通知书", result_type=APPROVAL,
    ),
    DemoItem(
        MARKET, 4, "有限责任公司设立登记", LICENSING,
        f"《中华人民共和国公司法》第二十九条、第三十条；{REGISTRATION_RULES}", 3, 1, ENTERPRISE,
        "有符合公司章程规定的股东，股东出资符合规定，有公司名称、住所和组织机构",
        (
            applicant("公司登记（备案）申请书", form="electronic"),
            applicant("公司章程", form="electronic"),
            id_card("自然人股东"),
            applicant("法定代表人、董事、监事和经理的任职文件", form="electronic"),
            applicant("住所使用相关文件"),
            AGENT_MANDATE,
        ),
        "营业执照",
    ),
    DemoItem(
        MARKET, 5, "企业变更登记", LICENSING, f"《中华人民共和国公司法》第三十四条；{REGISTRATION_RULES}",
        3, 1, ENTERPRISE,
        "企业的名称、住所、法定代表人、注册资本、经营范围等登记事项发生变更",
        (
            applicant("公司变更登记申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("依照公司法作出的变更决议或者决定", form="electronic"),
            applicant("修改后的公司章程或者章程修正案", required=False),
        ),
        "营业执照",
        handling=("名称变更", "住所变更", "法定代表人变更", "注册资本变更", "经营范围变更"),
        form=business_license_form(), license_type="business-license",
    ),
    DemoItem(
        MARKET, 6, "企业注销登记", LICENSING,
        f"《中华人民共和国公司法》第二百三十九条；{REGISTRATION_RULES}；《中华人民共和国市场主体登记管理条例》第三十三条",
        3, 1, ENTERPRISE,
        "企业解散，已清算完毕；简易注销适用于未发生债权债务或者已将债权债务清偿完结的企业，公示期20日",
        (
            applicant("公司注销登记申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("依法作出解散的决议或者决定", form="electronic"),
            applicant("经确认的清算报告（普通注销）", required=False),
            applicant("全体投资人承诺书（简易注销）", required=False),
        ),
        "准予注销登记通知书", result_type=APPROVAL,
        handling=("普通注销", "简易注销"),
    ),
    DemoItem(
        MARKET, 7, "农民专业合作社设立登记", LICENSING,
        f"《中华人民共和国农民专业合作社法》第十六条；{REGISTRATION_RULES}", 3, 1, ENTERPRISE,
        "有五名以上符合规定的成员，有符合规定的章程、组织机构、名称和住所，有符合章程规定的成员出资",
        (
            applicant("农民专业合作社登记（备案）申请书", form="electronic"),
            applicant("全体设立人签名、盖章的设立大会纪要", form="electronic"),
            applicant("全体设立人签名、盖章的章程", form="electronic"),
            applicant("成员名册和出资清单", form="electronic", notes="成员身份通过人口基础信息库核验"),
            applicant("住所使用证明"),
        ),
        "营业执照（农民专业合作社）",
    ),
    DemoItem(
        MARKET, 8, "食品经营许可", LICENSING,
        "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）",
        10, 5, ENTERPRISE,
        "具有与经营的食品品种、数量相适应的经营场所、设备设施、食品安全管理人员和保证食品安全的规章制度",
        (
            applicant("食品经营许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            REPRESENTATIVE_ID,
            applicant("与食品经营相适应的主要设备设施、经营布局、操作流程等文件", form="electronic"),
            applicant("食品安全自查、从业人员健康管理、进货查验记录等保证食品安全的规章制度", form="electronic"),
        ),
        "食品经营许可证",
        handling=("新办", "变更", "延续", "补办", "注销"),
        form=FOOD_LICENSE_FORM, license_type="food-business-license",
    ),
    DemoItem(
        MARKET, 9, "食品生产许可", LICENSING,
        "《中华人民共和国食品安全法》第三十五条；《食品生产许可管理办法》（国家市场监督管理总局令第24号）",
        10, 7, ENTERPRISE,
        "具有与生产的食品品种、数量相适应的生产场所、设备设施、专职或者兼职的食品安全管理人员和管理制度",
        (
            applicant("食品生产许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("食品生产设备布局图和食品生产工艺流程图", form="electronic"),
            applicant("食品生产主要设备、设施清单", form="electronic"),
            applicant("专职或者兼职的食品安全专业技术人员、食品安全管理人员信息和食品安全管理制度", form="electronic"),
        ),
        "食品生产许可证", power=DEVOLVED,
        handling=("新办", "变更", "延续", "注销"),
    ),
    DemoItem(
        MARKET, 10, "药品零售企业许可", LICENSING,
        "《中华人民共和国药品管理法》第五十一条、第五十二条；《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）",
        20, 10, ENTERPRISE,
        "有依法经过资格认定的药师或者其他药学技术人员，有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境",
        (
            applicant("药品经营许可证申请表", form="electronic"),
            BUSINESS_LICENSE,
            fetched_license("执业药师注册证", "licensed-pharmacist-certificate"),
            applicant("经营场所、仓库平面布置图及房屋产权或者使用权证明"),
            applicant("药品质量管理制度文件目录", form="electronic"),
        ),
        "药品经营许可证（零售）",
        handling=("新办", "变更", "换证", "注销"),
    ),
    DemoItem(
        MARKET, 11, "第二类医疗器械经营备案", OTHER_POWER, "《医疗器械监督管理条例》第四十一条", 0, 0, ENTERPRISE,
        "有与经营规模和经营范围相适应的经营场所和贮存条件，以及与经营的医疗器械相适应的质量管理制度和质量管理机构或者人员",
        (
            applicant("第二类医疗器械经营备案表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("经营场所、库房地址的地理位置图、平面图和产权或者使用权证明"),
            applicant("经营质量管理制度、工作程序等文件目录", form="electronic"),
        ),
        "第二类医疗器械经营备案凭证",
    ),
    DemoItem(
        MARKET, 12, "第三类医疗器械经营许可", LICENSING, "《医疗器械监督管理条例》第四十二条、第四十三条",
        20, 10, ENTERPRISE,
        "有与经营规模和经营范围相适应的经营场所和贮存条件，有质量管理制度和质量管理机构或者人员，有相应的计算机信息管理系统",
        (
            applicant("医疗器械经营许可申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("质量管理、经营等关键岗位人员的身份、学历或者职称证明", form="electronic"),
            applicant("经营场所、库房地址的平面图和产权或者使用权证明"),
            applicant("经营质量管理制度、工作程序等文件目录", form="electronic"),
        ),
        "医疗器械经营许可证",
        handling=("新办", "变更", "延续", "注销"),
    ),
    DemoItem(
        MARKET, 13, "特种设备使用登记", LICENSING,
        "《中华人民共和国特种设备安全法》第三十三条；《特种设备使用管理规则》（TSG 08-2017）",
        15, 5, ENTERPRISE,
        "特种设备投入使用前或者投入使用后三十日内，由使用单位向登记机关申请",
        (
            applicant("特种设备使用登记表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("特种设备产品合格证（含产品数据表）", form="electronic"),
            applicant("特种设备监督检验证明（安装监督检验的）", required=False),
        ),
        "特种设备使用登记证",
        handling=("锅炉、压力容器", "电梯", "起重机械", "场（厂）内专用机动车辆"),
    ),
    DemoItem(
        MARKET, 14, "股权出质登记", CONFIRMATION,
        "《中华人民共和国民法典》第四百四十三条；《股权出质登记办法》（国家工商行政管理总局令第32号）", 0, 0, BOTH,
        "以持有的有限责任公司或者股份有限公司股权出质，出质股权依法可以转让",
        (
            applicant("股权出质设立登记申请书", form="electronic"),
            applicant("质权合同", form="electronic"),
            id_card("出质人和质权人"),
        ),
        "股权出质设立登记通知书", result_type=APPROVAL,
        handling=("设立登记", "变更登记", "注销登记"),
    ),
)

OTHER_ENTERPRISE_ITEMS = (
    DemoItem(
        "发展和改革委员会", 1, "企业投资项目核准", LICENSING,
        "《企业投资项目核准和备案管理条例》（国务院令第673号）第三条；《政府核准的投资项目目录》",
        20, 10, ENTERPRISE,
        "属于《政府核准的投资项目目录》规定由市级核准的项目，已取得规划选址、用地预审等前置意见",
        (
            applicant("项目申请书", form="electronic"),
            ENTITY_RECORD,
            fetched_license("建设项目用地预审与选址意见书", "site-selection-opinion"),
            applicant("法律、行政法规规定作为前置条件的其他文件", required=False),
        ),
        "项目核准批复文件", result_type=APPROVAL, online="3",
    ),
    DemoItem(
        "发展和改革委员会", 2, "企业投资项目备案", OTHER_POWER,
        "《企业投资项目核准和备案管理条例》（国务院令第673号）第十三条", 0, 0, ENTERPRISE,
        "《政府核准的投资项目目录》以外的企业投资项目，在开工建设前通过在线平台告知项目信息",
        (applicant("项目备案信息（在线平台填报）", form="electronic"), ENTITY_RECORD),
        "项目备案证明", result_type=OTHER,
    ),
    DemoItem(
        "发展和改革委员会", 3, "固定资产投资项目节能审查", LICENSING,
        "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》（国家发展和改革委员会令2023年第2号）",
        20, 10, ENTERPRISE,
        "年综合能源消费量达到节能审查标准、依法应当进行节能审查的固定资产投资项目，在开工建设前申请",
        (applicant("节能报告", form="electronic"), applicant("节能审查申请文件", form="electronic"), ENTITY_RECORD),
        "节能审查意见", result_type=APPROVAL, online="3",
    ),
    DemoItem(
        "工业和信息化局", 1, "工业企业技术改造投资项目备案", OTHER_POWER,
        "《企业投资项目核准和备案管理条例》（国务院令第673号）第十三条", 0, 0, ENTERPRISE,
        "在本市已有工业企业利用现有场地、设施实施的技术改造项目，开工建设前备案",
        (applicant("技术改造项目备案信息（在线平台填报）", form="electronic"), ENTITY_RECORD),
        "技术改造项目备案证明", result_type=OTHER,
    ),
    DemoItem(
        "科学技术局", 1, "外国人来华工作许可", LICENSING,
        "《中华人民共和国出境入境管理法》第四十一条；《外国人在中国就业管理规定》", 20, 10, ENTERPRISE,
        "用人单位依法设立、无严重失信记录；外国人年满18周岁、身体健康、无犯罪记录，具有从事该工作所必需的专业技能或者相适应的工作经历",
        (
            applicant("外国人来华工作许可申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("工作资历证明", form="electronic"),
            applicant("最高学位（学历）证书或者相关批准书、职业资格证明", form="electronic"),
            applicant("无犯罪记录证明", form="electronic"),
            applicant("聘用合同或者任职证明", form="electronic"),
        ),
        "外国人工作许可证", power=ENTRUSTED,
        handling=("工作许可通知", "工作许可证办理", "延期", "注销"),
    ),
    DemoItem(
        "财政局", 1, "代理记账机构设立审批", LICENSING,
        "《中华人民共和国会计法》第三十六条；《代理记账管理办法》（财政部令第98号）第三条", 10, 5, ENTERPRISE,
        "为依法设立的企业，专职从业人员不少于3名，主管代理记账业务的负责人具有会计师以上专业技术职务资格或者从事会计工作不少于三年",
        (
            applicant("代理记账资格申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("专职从业人员在本机构专职从业的书面承诺", form="electronic"),
            applicant("主管代理记账业务的负责人的会计专业技术资格证明或者从业经历说明", form="electronic"),
            applicant("代理记账业务内部规范", form="electronic"),
        ),
        "代理记账许可证书", statutory_unit=NATURAL,
    ),
    DemoItem(
        "商务局", 1, "单用途商业预付卡发卡企业备案", OTHER_POWER,
        "《单用途商业预付卡管理办法（试行）》（商务部令2012年第9号）第七条", 0, 0, ENTERPRISE,
        "从事零售业、住宿和餐饮业、居民服务业并发行单用途商业预付卡的企业，自开展业务之日起30日内备案",
        (applicant("单用途卡业务备案表", form="electronic"), BUSINESS_LICENSE, applicant("单用途卡章程和合同样本")),
        "单用途商业预付卡备案回执", result_type=OTHER,
    ),
    DemoItem(
        "商务局", 2, "再生资源回收经营者备案", OTHER_POWER,
        "《再生资源回收管理办法》（商务部令2007年第8号）第七条", 0, 0, ENTERPRISE,
        "从事再生资源回收经营活动的经营者，自取得营业执照之日起30日内备案",
        (applicant("再生资源回收经营者备案登记表", form="electronic"), BUSINESS_LICENSE),
        "再生资源回收经营者备案回执", result_type=OTHER,
    ),
    DemoItem(
        "税务局", 1, "增值税专用发票（增值税税控系统）最高开票限额审批", LICENSING,
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第236项；《中华人民共和国发票管理办法》",
        20, 5, ENTERPRISE,
        "已办理税务信息确认的增值税一般纳税人或者自行开具增值税专用发票的小规模纳税人",
        (applicant("增值税专用发票最高开票限额申请单", form="electronic"), ENTITY_RECORD),
        "准予税务行政许可决定书", result_type=APPROVAL,
    ),
    DemoItem(
        "税务局", 2, "发票领用", OTHER_POWER, "《中华人民共和国发票管理办法》第十五条", 0, 0, BOTH,
        "已办理税务信息确认、需要领用发票的单位和个人",
        (applicant("发票领用信息（电子税务局填报）", form="electronic"), ENTITY_RECORD, AGENT_MANDATE),
        "发票领用结果", result_type=OTHER,
    ),
    DemoItem(
        "税务局", 3, "开具税收完税证明", PUBLIC_SERVICE, "《税收票证管理办法》（国家税务总局令第28号）", 0, 0, BOTH,
        "已缴纳税款、需要证明纳税情况的纳税人",
        (ID_CARD, applicant("完税证明开具申请（电子税务局填报）", form="electronic")),
        "中华人民共和国税收完税证明", result_type=OTHER,
    ),
)
# fmt: on

ITEMS = MARKET_ITEMS + OTHER_ENTERPRISE_ITEMS
