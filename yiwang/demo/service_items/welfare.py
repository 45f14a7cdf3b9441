"""Items of social insurance and employment (人社), medical insurance (医保), health (卫健) and education."""

from __future__ import annotations

from yiwang.demo.service_items.common import (
    APPROVAL,
    BOTH,
    BUSINESS_LICENSE,
    CONFIRMATION,
    COUNTY,
    ENTERPRISE,
    ENTITY_RECORD,
    HOUSEHOLD_REGISTER,
    ID_CARD,
    LICENSING,
    NATURAL,
    OTHER,
    PAYMENT,
    PERSON,
    PUBLIC_SERVICE,
    REPRESENTATIVE_ID,
    DemoItem,
    applicant,
    fetched_license,
)

HRSS = "人力资源和社会保障局"
MEDICARE = "医疗保障局"
HEALTH = "卫生健康委员会"
EDUCATION = "教育局"
INSURANCE_LAW = "《中华人民共和国社会保险法》"
EMPLOYMENT_RULES = "《就业服务与就业管理规定》（劳动和社会保障部令第28号）"
SOCIAL_SECURITY_CARD = fetched_license("社会保障卡", "social-security-card")
PHOTO = applicant("近期免冠彩色电子照片", form="electronic")
MEDICAL_INSTITUTION_LICENSE = fetched_license("医疗机构执业许可证", "medical-institution-license")
MEDICARE_BASIS = f"{INSURANCE_LAW}第二十三条、第二十五条"
# The 社会保障卡's element the applicant chooses (the card number is the issuer's).
CARD_FORM = {
    "type": "object",
    "properties": {
        "bank": {
            "type": "string",
            "title": "金融账户开户银行",
            "enum": [
                "中国工商银行明湖分行",
                "中国农业银行明湖分行",
                "中国银行明湖分行",
                "中国建设银行明湖分行",
                "明湖农村商业银行",
            ],
            "description": "社会保障卡同时是这家银行的借记卡",
        },
    },
    "required": ["bank"],
}

# fmt: off
HRSS_ITEMS = (
    DemoItem(
        HRSS, 1, "社会保障卡申领", PUBLIC_SERVICE,
        f"{INSURANCE_LAW}第五十八条；《人力资源社会保障部关于加快推进社会保障卡应用的意见》", 20, 10, PERSON,
        "在本市参加社会保险或者在本市居住的人员；首次申领可以在合作银行网点即时制卡",
        (ID_CARD, PHOTO, applicant("社会保障卡申领登记表", form="electronic")),
        "社会保障卡", handling=("首次申领", "补领", "换领"),
        form=CARD_FORM, license_type="social-security-card",
    ),
    DemoItem(
        HRSS, 2, "城乡居民基本养老保险参保登记", PUBLIC_SERVICE,
        f"{INSURANCE_LAW}第二十条、第二十二条；《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）",
        0, 0, PERSON,
        "年满16周岁（不含在校学生），非国家机关和事业单位工作人员及不属于职工基本养老保险制度覆盖范围的本市户籍居民",
        (ID_CARD, HOUSEHOLD_REGISTER, applicant("城乡居民基本养老保险参保登记表", form="electronic")),
        "社会保险参保登记信息", result_type=OTHER, level=COUNTY,
    ),
    DemoItem(
        HRSS, 3, "城镇职工基本养老保险待遇申领", PAYMENT,
        f"{INSURANCE_LAW}第十六条、第二十一条；《国务院关于完善企业职工基本养老保险制度的决定》（国发〔2005〕38号）",
        20, 10, PERSON,
        "达到法定退休年龄、累计缴费满规定年限并已办理退休审批手续的参保人员",
        (ID_CARD, SOCIAL_SECURITY_CARD, applicant("基本养老金申领表（由用人单位或者本人填报）", form="electronic")),
        "基本养老金核定表", result_type=OTHER,
    ),
    DemoItem(
        HRSS, 4, "职工正常退休（职）审批", CONFIRMATION,
        "《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）；《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》",
        20, 10, BOTH,
        "参加城镇职工基本养老保险、达到法定退休年龄的职工，由用人单位或者本人申请",
        (
            ID_CARD,
            applicant("职工退休申报表（用人单位盖章）", form="electronic"),
            applicant("本人人事档案", required=False, notes="由存档机构直接移交审核，无需本人携带"),
        ),
        "职工退休审批表", result_type=APPROVAL, online="3",
    ),
    DemoItem(
        HRSS, 5, "失业保险金申领", PAYMENT,
        f"{INSURANCE_LAW}第四十五条、第五十条；《失业保险条例》第十四条、第十六条", 10, 3, PERSON,
        "失业前用人单位和本人已经缴纳失业保险费满一年，非因本人意愿中断就业，已经进行失业登记并有求职要求",
        (
            ID_CARD,
            applicant("终止或者解除劳动合同的证明", form="electronic", notes="已由用人单位在线报送的免提交"),
            SOCIAL_SECURITY_CARD,
        ),
        "失业保险金核定通知", result_type=OTHER,
    ),
    DemoItem(
        HRSS, 6, "失业登记", PUBLIC_SERVICE, f"{EMPLOYMENT_RULES}；《中华人民共和国就业促进法》第四十二条",
        0, 0, PERSON,
        "法定劳动年龄内、有劳动能力、有就业要求、处于无业状态的城乡劳动者，可以在常住地进行失业登记",
        (ID_CARD, applicant("失业登记表（网上填报）", form="electronic")),
        "失业登记信息", result_type=OTHER, level=COUNTY,
    ),
    DemoItem(
        HRSS, 7, "就业创业证申领", PUBLIC_SERVICE, EMPLOYMENT_RULES, 0, 0, PERSON,
        "在法定劳动年龄内、有劳动能力和就业创业要求的城乡劳动者",
        (ID_CARD, PHOTO),
        "就业创业证", level=COUNTY,
    ),
    DemoItem(
        HRSS, 8, "工伤认定申请", CONFIRMATION, "《工伤保险条例》第十四条、第十七条、第二十条", 60, 20, BOTH,
        "职工发生事故伤害或者被诊断、鉴定为职业病的，用人单位在30日内、职工或者其近亲属在1年内提出",
        (
            applicant("工伤认定申请表", form="electronic"),
            applicant("与用人单位存在劳动关系（包括事实劳动关系）的证明材料", form="electronic"),
            applicant("医疗诊断证明或者职业病诊断证明书", form="electronic"),
            ID_CARD,
        ),
        "认定工伤决定书或者不予认定工伤决定书", result_type=APPROVAL, online="3",
        statutory_unit=NATURAL,
    ),
    DemoItem(
        HRSS, 9, "人力资源服务许可", LICENSING,
        "《中华人民共和国就业促进法》第四十条；《人力资源市场暂行条例》第十八条、第十九条", 20, 10, ENTERPRISE,
        "有明确的章程和管理制度，有开展业务必备的固定场所、办公设施，有不少于5名具备相应职业资格的专职工作人员",
        (
            applicant("人力资源服务许可申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("经营场所的使用证明"),
            applicant("专职工作人员名单及资格证明", form="electronic"),
            applicant("工作章程和管理制度", form="electronic"),
        ),
        "人力资源服务许可证", handling=("设立", "变更", "延续", "注销"),
    ),
    DemoItem(
        HRSS, 10, "劳务派遣经营许可", LICENSING,
        "《中华人民共和国劳动合同法》第五十七条；《劳务派遣行政许可实施办法》（人力资源和社会保障部令第19号）",
        20, 10, ENTERPRISE,
        "注册资本不得少于人民币200万元，有与开展业务相适应的固定经营场所和设施，有符合法律法规规定的劳务派遣管理制度",
        (
            applicant("劳务派遣经营许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("公司章程以及验资机构出具的验资报告或者财务审计报告", form="electronic"),
            applicant("经营场所的使用证明以及与开展业务相适应的办公设施设备、信息管理系统等清单"),
            applicant("劳务派遣管理制度", form="electronic"),
            REPRESENTATIVE_ID,
        ),
        "劳务派遣经营许可证", handling=("设立", "变更", "延续", "注销"),
    ),
    DemoItem(
        HRSS, 11, "企业职工基本养老保险关系转移接续", PUBLIC_SERVICE,
        f"{INSURANCE_LAW}第十九条；《城镇企业职工基本养老保险关系转移接续暂行办法》（国办发〔2009〕66号）", 45, 15,
        PERSON,
        "参保人员跨省、市流动就业，在新就业地参保后申请转移基本养老保险关系",
        (ID_CARD, applicant("基本养老保险关系转移接续申请表", form="electronic")),
        "基本养老保险关系转移接续联系函", result_type=OTHER,
    ),
)

MEDICARE_ITEMS = (
    DemoItem(
        MEDICARE, 1, "城乡居民基本医疗保险参保登记", PUBLIC_SERVICE,
        f"{MEDICARE_BASIS}；《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）", 0, 0, PERSON,
        "未参加职工基本医疗保险的本市户籍居民、持有本市居住证的非本市户籍居民及其未成年子女、在本市就读的学生",
        (ID_CARD, HOUSEHOLD_REGISTER, applicant("城乡居民基本医疗保险参保登记表", form="electronic")),
        "医疗保险参保登记信息", result_type=OTHER, level=COUNTY,
    ),
    DemoItem(
        MEDICARE, 2, "职工基本医疗保险参保登记", PUBLIC_SERVICE, f"{INSURANCE_LAW}第二十三条、第五十七条、第五十八条",
        0, 0, ENTERPRISE,
        "用人单位自用工之日起30日内为其职工申请办理社会保险登记",
        (ENTITY_RECORD, applicant("职工参保登记信息（网上填报）", form="electronic")),
        "职工基本医疗保险参保登记信息", result_type=OTHER,
    ),
    DemoItem(
        MEDICARE, 3, "异地就医备案", PUBLIC_SERVICE,
        "《国家医保局 财政部关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
        0, 0, PERSON,
        "异地长期居住人员、临时外出就医人员等参保人员，在异地就医前或者出院结算前办理备案",
        (ID_CARD, applicant("异地就医备案承诺书（网上签署）", form="electronic")),
        "异地就医备案信息", result_type=OTHER,
        handling=("异地长期居住人员备案", "临时外出就医人员备案"),
    ),
    DemoItem(
        MEDICARE, 4, "门诊慢特病病种待遇认定", PUBLIC_SERVICE,
        f"{MEDICARE_BASIS}；《国家医疗保障局办公室 财政部办公厅关于健全基本医疗保险门诊共济保障机制的指导意见》",
        20, 10, PERSON,
        "参加本市基本医疗保险、患有门诊慢特病病种目录内疾病、符合认定标准的参保人员",
        (ID_CARD, applicant("门诊慢特病认定申请表", form="electronic"),
         applicant("二级以上医疗机构出具的诊断证明和相关检查报告", form="electronic")),
        "门诊慢特病待遇认定结果", result_type=OTHER,
    ),
    DemoItem(
        MEDICARE, 5, "医疗费用手工（零星）报销", PUBLIC_SERVICE, f"{MEDICARE_BASIS}、第二十八条", 30, 20, PERSON,
        "参保人员因急诊、抢救或者未能直接结算等原因，在定点医疗机构发生的符合规定的医疗费用",
        (
            ID_CARD,
            applicant("医疗收费票据（电子票据）", form="electronic"),
            applicant("费用明细清单、出院小结或者诊断证明", form="electronic"),
            SOCIAL_SECURITY_CARD,
        ),
        "医疗费用报销结算单", result_type=OTHER,
    ),
    DemoItem(
        MEDICARE, 6, "生育津贴支付", PAYMENT, f"{INSURANCE_LAW}第五十四条、第五十六条", 20, 10, PERSON,
        "用人单位已为职工缴纳生育保险费，职工生育或者施行计划生育手术",
        (ID_CARD, fetched_license("出生医学证明", "birth-medical-certificate"),
         applicant("生育津贴申领表（用人单位填报）", form="electronic")),
        "生育津贴核定结果", result_type=OTHER,
    ),
)

HEALTH_ITEMS = (
    DemoItem(
        HEALTH, 1, "医师执业注册", LICENSING, "《中华人民共和国医师法》第十三条、第十五条；《医师执业注册管理办法》",
        20, 5, PERSON,
        "取得医师资格，无《中华人民共和国医师法》第十六条规定不予注册的情形，由拟执业的医疗卫生机构为其申请",
        (
            applicant("医师执业注册申请审核表", form="electronic"),
            ID_CARD,
            fetched_license("医师资格证书", "physician-qualification-certificate"),
            applicant("医疗、预防、保健机构的聘用证明", form="electronic"),
            applicant("省级以上卫生健康主管部门指定的医疗机构出具的6个月内的健康体检证明", form="electronic"),
        ),
        "医师执业证书", handling=("首次注册", "变更注册", "重新注册", "注销注册"),
    ),
    DemoItem(
        HEALTH, 2, "护士执业注册", LICENSING, "《护士条例》第七条、第八条；《护士执业注册管理办法》", 20, 5, PERSON,
        "具有完全民事行为能力，完成规定的护理专业学习，通过国务院卫生主管部门组织的护士执业资格考试，符合健康标准",
        (
            applicant("护士执业注册申请审核表", form="electronic"),
            ID_CARD,
            fetched_license("护士执业资格考试成绩合格证明", "nurse-exam-certificate"),
            applicant("医疗卫生机构拟聘用的相关材料", form="electronic"),
            applicant("6个月内的健康体检证明", form="electronic"),
        ),
        "护士执业证书", handling=("首次注册", "变更注册", "延续注册", "注销注册"),
    ),
    DemoItem(
        HEALTH, 3, "医疗机构执业登记", LICENSING,
        "《医疗机构管理条例》第十四条、第十五条；《医疗机构管理条例实施细则》", 45, 20, ENTERPRISE,
        "按照医疗机构基本标准建设完成，有适合的名称、组织机构和场所，有与其开展的业务相适应的经费、设施、设备和专业卫生技术人员",
        (
            applicant("医疗机构申请执业登记注册书", form="electronic"),
            applicant("医疗机构用房产权证明或者使用证明"),
            applicant("医疗机构建筑设计平面图"),
            applicant("医疗机构规章制度和卫生技术人员名录及其有关资格证书、执业证书", form="electronic"),
            REPRESENTATIVE_ID,
        ),
        "医疗机构执业许可证", statutory_unit=NATURAL, online="3",
        handling=("执业登记", "变更登记", "校验", "注销登记"),
    ),
    DemoItem(
        HEALTH, 4, "公共场所卫生许可", LICENSING,
        "《公共场所卫生管理条例》第二条、第八条；《公共场所卫生管理条例实施细则》（卫生部令第80号）", 20, 5,
        ENTERPRISE,
        "住宿、沐浴、美容美发、游泳等公共场所经营单位，卫生设施、布局和卫生管理制度符合卫生规范；实行告知承诺制的当场发证",
        (
            applicant("公共场所卫生许可申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("公共场所地址方位示意图、平面图和卫生设施平面布局图", form="electronic"),
            applicant("公共场所卫生检测或者评价报告", form="electronic"),
            applicant("公共场所卫生管理制度", form="electronic"),
        ),
        "公共场所卫生许可证", handling=("新办", "变更", "延续", "注销"),
    ),
    DemoItem(
        HEALTH, 5, "饮用水供水单位卫生许可", LICENSING, "《中华人民共和国传染病防治法》第二十九条", 20, 10, ENTERPRISE,
        "集中式供水、二次供水单位的水源、制水工艺、供水设施和水质符合生活饮用水卫生标准",
        (
            applicant("生活饮用水供水单位卫生许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("供水设施、制水工艺和卫生防护情况说明", form="electronic"),
            applicant("水质检验报告", form="electronic"),
            applicant("直接从事供、管水人员的健康证明和卫生知识培训合格证明", form="electronic"),
        ),
        "卫生许可证",
    ),
    DemoItem(
        HEALTH, 6, "母婴保健技术服务执业许可", LICENSING,
        "《中华人民共和国母婴保健法》第三十二条；《中华人民共和国母婴保健法实施办法》第三十五条", 20, 10, ENTERPRISE,
        "医疗保健机构开展婚前医学检查、遗传病诊断、产前诊断、助产技术、结扎手术和终止妊娠手术等技术服务",
        (
            applicant("母婴保健技术服务执业许可申请登记书", form="electronic"),
            MEDICAL_INSTITUTION_LICENSE,
            applicant("相关卫生技术人员的资格证书和母婴保健技术考核合格证书", form="electronic"),
            applicant("与开展母婴保健技术服务相适应的设备、设施清单", form="electronic"),
        ),
        "母婴保健技术服务执业许可证",
    ),
    DemoItem(
        HEALTH, 7, "放射诊疗许可", LICENSING,
        "《中华人民共和国职业病防治法》第八十七条；《放射诊疗管理规定》（卫生部令第46号）", 20, 10, ENTERPRISE,
        "医疗机构开展放射诊疗工作，具有经核准登记的医学影像科诊疗科目、符合要求的放射诊疗场所和防护设施、放射工作人员",
        (
            applicant("放射诊疗许可申请表", form="electronic"),
            MEDICAL_INSTITUTION_LICENSE,
            applicant("放射诊疗建设项目竣工验收合格证明", form="electronic"),
            applicant("放射诊疗设备清单和放射工作人员资格证明", form="electronic"),
        ),
        "放射诊疗许可证",
    ),
    DemoItem(
        HEALTH, 8, "生育登记", PUBLIC_SERVICE,
        "《中华人民共和国人口与计划生育法》第十八条；《河南省人口与计划生育条例》", 0, 0, PERSON,
        "依法生育子女的夫妻，一方户籍在本市或者在本市居住",
        (ID_CARD, fetched_license("结婚证", "marriage-certificate")),
        "生育登记服务信息", result_type=OTHER, level=COUNTY,
    ),
    DemoItem(
        HEALTH, 9, "农村部分计划生育家庭奖励扶助", PAYMENT,
        "《中华人民共和国人口与计划生育法》第二十九条；"
        "《国务院办公厅转发人口计生委 财政部关于开展对农村部分计划生育家庭实行奖励扶助制度试点工作意见的通知》"
        "（国办发〔2004〕21号）",
        30, 20, PERSON,
        "本人及配偶均为农业户口，1973年至2001年间没有违反计划生育法律法规生育，现存一个子女或者两个女孩或者子女死亡现无子女，年满60周岁",
        (ID_CARD, HOUSEHOLD_REGISTER, applicant("奖励扶助对象申报表", form="electronic")),
        "奖励扶助对象确认结果", result_type=OTHER, online="3", level=COUNTY,
    ),
)

EDUCATION_ITEMS = (
    DemoItem(
        EDUCATION, 1, "教师资格认定", LICENSING,
        "《中华人民共和国教师法》第十条、第十一条、第十三条；《教师资格条例》第十三条至第十七条", 30, 20, PERSON,
        "具备《中华人民共和国教师法》规定的学历，中小学教师资格考试合格，普通话水平达到二级乙等以上，体检合格，思想品德良好",
        (
            ID_CARD,
            fetched_license("学历证书", "academic-certificate"),
            fetched_license("中小学教师资格考试合格证明", "teacher-exam-certificate"),
            fetched_license("普通话水平测试等级证书", "mandarin-test-certificate"),
            applicant("教师资格认定体检表", form="paper"),
            applicant("个人承诺书（含无犯罪记录承诺）", form="electronic"),
        ),
        "教师资格证书", handling=("幼儿园、小学、初级中学教师资格", "高级中学、中等职业学校教师资格"),
    ),
    DemoItem(
        EDUCATION, 2, "民办学校设立", LICENSING,
        "《中华人民共和国民办教育促进法》第十二条、第十七条、第十八条；《中华人民共和国民办教育促进法实施条例》",
        90, 30, ENTERPRISE,
        "举办者具有相应的资质，有规范的章程和名称、合格的校长和教师、相应的办学场所和设施、与办学规模相适应的资金",
        (
            applicant("申办报告", form="electronic"),
            applicant("举办者的资格证明文件", form="electronic"),
            applicant("拟聘任校长、教师、财会人员的资格证明文件", form="electronic"),
            applicant("学校章程和首届学校理事会、董事会或者其他决策机构组成人员名单", form="electronic"),
            applicant("办学场所证明和资产及经费来源的证明文件"),
        ),
        "中华人民共和国民办学校办学许可证", statutory_unit=NATURAL, online="3",
        handling=("筹设审批", "正式设立审批", "分立、合并、终止审批"),
    ),
)
# fmt: on

ITEMS = HRSS_ITEMS + MEDICARE_ITEMS + HEALTH_ITEMS + EDUCATION_ITEMS
