"""Items for residents: household registration and ID cards (公安), marriage and assistance (民政), legal aid."""

from __future__ import annotations

from yiwang.demo.service_items.common import (
    AGENT_MANDATE,
    APPROVAL,
    BOTH,
    CENTRE,
    CONFIRMATION,
    COUNTY,
    ENTERPRISE,
    HOUSEHOLD_REGISTER,
    ID_CARD,
    LICENSING,
    NATURAL,
    OTHER,
    OTHER_POWER,
    PAYMENT,
    PERSON,
    PUBLIC_SERVICE,
    DemoItem,
    applicant,
    fetched_license,
    id_card,
    on_site,
)
from yiwang.services.catalog.services import FeeInput

POLICE = "公安局"
CIVIL = "民政局"
ID_CARD_LAW = "《中华人民共和国居民身份证法》"
HOUSEHOLD_RULES = "《中华人民共和国户口登记条例》"
ID_CARD_FEE = FeeInput(
    "居民身份证工本费",
    "20元/证",
    "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
    reducible=True,
)
PORTRAIT = on_site("现场采集的人像和指纹信息", "在受理窗口现场采集，无需自备照片")
ID_FORM = on_site("居民身份证申领登记表（窗口打印，申请人签字确认）")
MARRIAGE_CERTIFICATE = fetched_license("结婚证", "marriage-certificate")
POLICE_PORTAL = "“明湖通办”网上办事大厅或户籍所在地公安派出所"
ASSISTANCE = "《社会救助暂行办法》"
ASSISTANCE_PLACE = "户籍所在地街道办事处（乡镇人民政府）社会救助窗口，或“明湖通办”网上办事大厅"
# The 结婚证's elements; the applicant is one spouse (each spouse's certificate is issued to its applicant).
MARRIAGE_FORM = {
    "type": "object",
    "properties": {
        "spouse_name": {"type": "string", "title": "配偶姓名", "maxLength": 50},
        "spouse_id_number": {"type": "string", "title": "配偶公民身份号码", "pattern": r"^\d{17}[\dX]$"},
    },
    "required": ["spouse_name", "spouse_id_number"],
}
FAMILY_DECLARATION = applicant("家庭成员、收入和财产状况申报及家庭经济状况核对授权书", form="electronic")

# fmt: off
POLICE_ITEMS = (
    DemoItem(
        POLICE, 1, "居民身份证首次申领", PUBLIC_SERVICE, f"{ID_CARD_LAW}第二条、第八条", 60, 15, PERSON,
        "居住在中华人民共和国境内的年满十六周岁的中国公民；未满十六周岁的可以依照规定申请领取",
        (HOUSEHOLD_REGISTER, ID_FORM, PORTRAIT, id_card("监护人（未满十六周岁的）", required=False)),
        "居民身份证", fees=(ID_CARD_FEE,), online="2",
        statutory_unit=NATURAL, promised_unit=NATURAL, level=COUNTY,
    ),
    DemoItem(
        POLICE, 2, "居民身份证换领", PUBLIC_SERVICE, f"{ID_CARD_LAW}第十一条", 60, 15, PERSON,
        "居民身份证有效期满、公民姓名变更、登记项目错误或者证件严重损坏不能辨认的；可以在全国范围内异地办理，领取新证时交回原证",
        (ID_CARD, HOUSEHOLD_REGISTER, ID_FORM, PORTRAIT),
        "居民身份证", fees=(ID_CARD_FEE,), online="2",
        handling=("有效期满换领", "登记项目变更换领", "证件损坏换领"),
        statutory_unit=NATURAL, promised_unit=NATURAL, level=COUNTY,
    ),
    DemoItem(
        POLICE, 3, "居民身份证补领", PUBLIC_SERVICE, f"{ID_CARD_LAW}第十一条", 60, 15, PERSON,
        "居民身份证丢失的，可以在户籍所在地或者全国范围内异地申请补领",
        (ID_CARD, ID_FORM, PORTRAIT),
        "居民身份证", fees=(ID_CARD_FEE,), online="2",
        statutory_unit=NATURAL, promised_unit=NATURAL, level=COUNTY,
    ),
    DemoItem(
        POLICE, 4, "临时居民身份证申领", PUBLIC_SERVICE,
        f"{ID_CARD_LAW}第十二条；《中华人民共和国临时居民身份证管理办法》", 3, 0, PERSON,
        "正在申领、换领、补领居民身份证期间，急需使用居民身份证的公民",
        (ID_CARD, on_site("临时居民身份证申领登记表（窗口打印）"), PORTRAIT),
        "临时居民身份证", online="1", level=COUNTY,
        fees=(FeeInput(
            "临时居民身份证工本费", "10元/证",
            "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）",
        ),),
    ),
    DemoItem(
        POLICE, 5, "出生登记", CONFIRMATION, f"{HOUSEHOLD_RULES}第七条", 0, 0, PERSON,
        "在本市出生的婴儿，由户主、亲属、抚养人在婴儿出生后一个月以内向常住地户口登记机关申报；可通过“出生一件事”一次办理",
        (
            fetched_license("出生医学证明", "birth-medical-certificate"),
            id_card("父母"),
            HOUSEHOLD_REGISTER,
            MARRIAGE_CERTIFICATE,
        ),
        "居民户口簿（新生儿户口登记页）", place=POLICE_PORTAL, level=COUNTY,
        handling=("随父落户", "随母落户"),
    ),
    DemoItem(
        POLICE, 6, "户口迁移", CONFIRMATION,
        f"{HOUSEHOLD_RULES}第十条、第十三条；《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）",
        20, 3, PERSON,
        "在本市有合法稳定住所、投靠直系亲属、大中专院校毕业或者人才引进的，可以申请将户口迁入本市；跨省迁移实行“一站式”办理",
        (
            ID_CARD,
            HOUSEHOLD_REGISTER,
            fetched_license("不动产权证书（购房落户的）", "real-estate-certificate", required=False),
            MARRIAGE_CERTIFICATE,
            applicant("毕业证书或者人才引进证明（毕业生、人才落户的）", required=False),
        ),
        "准予迁入证明、居民户口簿（本人页）", level=COUNTY, online="3",
        handling=("购房落户", "投靠直系亲属落户", "大中专院校毕业生落户", "人才引进落户", "跨省迁入“一站式”办理"),
    ),
    DemoItem(
        POLICE, 7, "死亡人员户口注销", CONFIRMATION, f"{HOUSEHOLD_RULES}第八条", 0, 0, PERSON,
        "公民死亡后，由户主、亲属、抚养人或者邻居在一个月以内向户口登记机关申报注销户口；可通过“身后一件事”一次办理",
        (
            fetched_license("居民死亡医学证明（推断）书", "death-medical-certificate"),
            id_card("申报人"),
            HOUSEHOLD_REGISTER,
        ),
        "户口注销证明", result_type=OTHER, place=POLICE_PORTAL, level=COUNTY,
    ),
    DemoItem(
        POLICE, 8, "无犯罪记录证明开具", PUBLIC_SERVICE,
        "《公安机关办理无犯罪记录证明工作规定》（公通字〔2021〕19号）", 3, 1, PERSON,
        "中国公民因就业、出国、入学等需要，由本人或者委托他人向户籍地或者居住地公安派出所申请",
        (ID_CARD, applicant("无犯罪记录证明申请表", form="electronic"), AGENT_MANDATE),
        "无犯罪记录证明", result_type=OTHER, level=COUNTY,
    ),
    DemoItem(
        POLICE, 9, "居住证申领", PUBLIC_SERVICE, "《居住证暂行条例》第二条、第十条、第十六条", 15, 7, PERSON,
        "离开常住户口所在地，到本市居住半年以上，有合法稳定就业、合法稳定住所、连续就读条件之一的公民",
        (
            ID_CARD,
            applicant("合法稳定住所、就业或者就读证明（房屋租赁合同、劳动合同或者在读证明）"),
            on_site("现场采集的人像信息"),
        ),
        "居住证", online="3", statutory_unit=NATURAL, level=COUNTY,
    ),
    DemoItem(
        POLICE, 10, "普通护照签发", LICENSING, "《中华人民共和国护照法》第五条、第六条", 15, 7, PERSON,
        "中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国；可在全国范围内异地申请",
        (ID_CARD, on_site("出入境证件申请表（窗口打印，申请人签字确认）"), on_site("现场采集的人像和指纹信息")),
        "中华人民共和国普通护照", online="2", statutory_unit=NATURAL,
        place=f"{CENTRE}一楼出入境窗口",
        handling=("首次申请", "换发", "补发"),
        fees=(FeeInput(
            "普通护照证件费", "120元/本",
            "《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》（发改价格〔2019〕914号）",
        ),),
    ),
    DemoItem(
        POLICE, 11, "机动车检验合格标志核发（车辆年检）", LICENSING,
        "《中华人民共和国道路交通安全法》第十三条；《中华人民共和国道路交通安全法实施条例》第十六条", 0, 0, BOTH,
        "登记后上道路行驶的机动车按规定周期检验；6年以内的非营运小微型载客汽车（面包车除外）免予上线检验",
        (
            fetched_license("机动车行驶证", "vehicle-license"),
            applicant("机动车交通事故责任强制保险凭证", form="electronic"),
            applicant("机动车安全技术检验报告（需上线检验的）", required=False, form="electronic"),
        ),
        "机动车检验合格标志（电子）", place="“交管12123”手机应用或市公安局交通警察支队车管所",
    ),
    DemoItem(
        POLICE, 12, "机动车驾驶证期满换证", LICENSING,
        "《中华人民共和国道路交通安全法》第十九条；《机动车驾驶证申领和使用规定》（公安部令第162号）", 0, 0, PERSON,
        "机动车驾驶人在机动车驾驶证有效期满前九十日内申请换证",
        (
            ID_CARD,
            fetched_license("机动车驾驶证", "driving-licence"),
            applicant("机动车驾驶人身体条件证明", form="electronic", notes="医疗机构出具的电子体检信息可直接调用"),
        ),
        "机动车驾驶证", place="“交管12123”手机应用或市公安局交通警察支队车管所",
        fees=(FeeInput("机动车驾驶证工本费", "10元/证", "《国家发展改革委 财政部关于公安部门有关收费标准的通知》"),),
    ),
)

CIVIL_ITEMS = (
    DemoItem(
        CIVIL, 1, "内地居民结婚登记", CONFIRMATION,
        "《中华人民共和国民法典》第一千零四十六条、第一千零四十九条；《婚姻登记条例》", 0, 0, PERSON,
        "男女双方完全自愿，达到法定婚龄，双方均无配偶，没有直系血亲和三代以内旁系血亲关系，双方亲自到婚姻登记机关申请",
        (
            id_card("男女双方"),
            applicant("本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明", form="paper"),
            applicant("双方近期半身免冠合影照片", copies=3, form="paper"),
        ),
        "结婚证", online="2", level=COUNTY, place="明湖市婚姻登记中心（滨河路9号）",
        form=MARRIAGE_FORM, license_type="marriage-certificate",
    ),
    DemoItem(
        CIVIL, 2, "内地居民离婚登记", CONFIRMATION,
        "《中华人民共和国民法典》第一千零七十六条、第一千零七十七条；《婚姻登记条例》", 0, 0, PERSON,
        "双方自愿离婚并对子女抚养、财产以及债务处理等事项协商一致；自受理之日起三十日离婚冷静期届满后三十日内，双方亲自到场申请发给离婚证",
        (
            id_card("男女双方"),
            fetched_license("结婚证", "marriage-certificate"),
            applicant("双方签署的离婚协议书", copies=3, form="paper"),
        ),
        "离婚证", online="2", visits=2, level=COUNTY, place="明湖市婚姻登记中心（滨河路9号）",
    ),
    DemoItem(
        CIVIL, 3, "补领婚姻登记证", CONFIRMATION, "《婚姻登记条例》", 0, 0, PERSON,
        "结婚证、离婚证遗失或者损毁的当事人，到原办理登记的婚姻登记机关或者本市婚姻登记机关申请补领",
        (ID_CARD, applicant("本人近期半身免冠照片", copies=2, form="paper")),
        "结婚证（补发）或者离婚证（补发）", online="2", level=COUNTY, place="明湖市婚姻登记中心（滨河路9号）",
    ),
    DemoItem(
        CIVIL, 4, "最低生活保障申请", PAYMENT,
        f"{ASSISTANCE}第九条至第十三条；《最低生活保障审核确认办法》（民发〔2021〕57号）", 30, 20, PERSON,
        "共同生活的家庭成员人均收入低于本市最低生活保障标准，且家庭财产状况符合规定",
        (
            applicant("最低生活保障申请书", form="electronic"),
            ID_CARD,
            HOUSEHOLD_REGISTER,
            FAMILY_DECLARATION,
            fetched_license("残疾人证（家庭成员有残疾的）", "disability-certificate", required=False),
        ),
        "最低生活保障审核确认决定", result_type=APPROVAL, online="3", level=COUNTY, place=ASSISTANCE_PLACE,
        form={
            "type": "object",
            "properties": {
                "applicant_name": {"type": "string", "title": "申请人姓名", "x-registry": "population:name"},
                "registered_address": {
                    "type": "string",
                    "title": "户籍地址",
                    "maxLength": 200,
                    "x-registry": "population:registered_address",
                },
                "household_size": {"type": "integer", "title": "共同生活家庭成员人数", "minimum": 1, "maximum": 20},
                "monthly_income": {
                    "type": "number",
                    "title": "家庭月收入合计（元）",
                    "minimum": 0,
                    "description": "工资、经营、财产、转移性收入等，按申请前12个月平均计算",
                },
                "has_disabled_member": {"type": "boolean", "title": "家庭成员中有残疾人"},
                "reason": {"type": "string", "title": "申请理由", "maxLength": 500},
            },
            "required": ["applicant_name", "registered_address", "household_size", "monthly_income", "reason"],
        },
        process="minimum_living_allowance",  # 民政局 and 人社局 review in parallel; a countersign for some
    ),
    DemoItem(
        CIVIL, 5, "特困人员救助供养申请", PAYMENT,
        f"{ASSISTANCE}第十四条至第十九条；《特困人员认定办法》（民发〔2021〕43号）", 30, 20, PERSON,
        "无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人或者其法定义务人无履行义务能力的老年人、残疾人以及未成年人",
        (
            applicant("特困人员救助供养申请书", form="electronic"),
            ID_CARD,
            HOUSEHOLD_REGISTER,
            FAMILY_DECLARATION,
        ),
        "特困人员认定决定", result_type=APPROVAL, online="3", level=COUNTY, place=ASSISTANCE_PLACE,
    ),
    DemoItem(
        CIVIL, 6, "临时救助申请", PAYMENT, f"{ASSISTANCE}第四十七条至第五十条", 20, 10, PERSON,
        "因火灾、交通事故等意外事件或者家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或者个人",
        (applicant("临时救助申请书", form="electronic"), ID_CARD, FAMILY_DECLARATION,
         applicant("困难情况证明材料（医疗费用票据、事故证明等）", required=False)),
        "临时救助审批决定", result_type=APPROVAL, online="3", level=COUNTY, place=ASSISTANCE_PLACE,
    ),
    DemoItem(
        CIVIL, 7, "高龄津贴申领", PAYMENT, "《中华人民共和国老年人权益保障法》第三十三条", 20, 10, PERSON,
        "具有本市户籍、年满八十周岁的老年人；符合条件的由系统主动推送，本人确认后发放",
        (ID_CARD, HOUSEHOLD_REGISTER, fetched_license("社会保障卡（发放账户）", "social-security-card")),
        "高龄津贴发放通知", result_type=OTHER, level=COUNTY,
    ),
    DemoItem(
        CIVIL, 8, "困难残疾人生活补贴和重度残疾人护理补贴申请", PAYMENT,
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）", 20, 15, PERSON,
        "持有第二代残疾人证的低保家庭残疾人（生活补贴），或者残疾等级为一级、二级且需要长期照护的残疾人（护理补贴）",
        (
            applicant("残疾人两项补贴申请审批表", form="electronic"),
            ID_CARD,
            fetched_license("中华人民共和国残疾人证", "disability-certificate"),
            fetched_license("社会保障卡（发放账户）", "social-security-card"),
        ),
        "残疾人两项补贴审批决定", result_type=APPROVAL, level=COUNTY,
    ),
    DemoItem(
        CIVIL, 9, "社会团体成立登记", LICENSING, "《社会团体登记管理条例》第三条、第九条、第十二条", 60, 20, ENTERPRISE,
        "经业务主管单位审查同意，有50个以上个人会员或者30个以上单位会员，有规范的名称、组织机构、固定住所、专职工作人员和合法资产",
        (
            applicant("社会团体成立登记申请书", form="electronic"),
            applicant("业务主管单位的批准文件"),
            applicant("验资报告、场所使用权证明", form="electronic"),
            applicant("发起人和拟任负责人的基本情况和简历", form="electronic"),
            id_card("拟任负责人"),
            applicant("章程草案", form="electronic"),
        ),
        "社会团体法人登记证书", statutory_unit=NATURAL, online="3",
    ),
    DemoItem(
        CIVIL, 10, "民办非企业单位成立登记", LICENSING, "《民办非企业单位登记管理暂行条例》第三条、第八条", 60, 20,
        ENTERPRISE,
        "经业务主管单位审查同意，有规范的名称和必要的组织机构，有与其业务活动相适应的从业人员、合法财产和必要的场所",
        (
            applicant("民办非企业单位成立登记申请书", form="electronic"),
            applicant("业务主管单位的批准文件"),
            applicant("场所使用权证明和验资报告", form="electronic"),
            applicant("拟任负责人的基本情况和简历", form="electronic"),
            id_card("拟任负责人"),
            applicant("章程草案", form="electronic"),
        ),
        "民办非企业单位（法人）登记证书", statutory_unit=NATURAL, online="3",
    ),
    DemoItem(
        CIVIL, 11, "养老机构备案", OTHER_POWER,
        "《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》（民政部令第66号）第九条", 0, 0, ENTERPRISE,
        "依法办理登记的养老机构，在收住老年人后10个工作日内向登记地民政部门备案",
        (
            applicant("养老机构备案书", form="electronic"),
            applicant("养老机构备案承诺书", form="electronic"),
            fetched_license("事业单位法人证书、民办非企业单位登记证书或者营业执照", "business-license"),
        ),
        "养老机构备案回执", result_type=OTHER,
    ),
)

OTHER_RESIDENT_ITEMS = (
    DemoItem(
        "司法局", 1, "法律援助申请", PAYMENT, "《中华人民共和国法律援助法》第三十一条、第四十一条、第四十三条",
        7, 3, PERSON,
        "因经济困难没有委托代理人，属于请求给付赡养费、抚养费、劳动报酬、工伤赔偿等法定事项的当事人；特定群体免予经济困难审查",
        (ID_CARD, applicant("法律援助申请表", form="electronic"), applicant("经济困难状况说明表", form="electronic"),
         applicant("与所申请法律援助事项有关的证件、证明材料")),
        "给予法律援助决定书", result_type=APPROVAL, online="3", statutory_unit=NATURAL,
    ),
    DemoItem(
        "退役军人事务局", 1, "退役军人优待证申领", PUBLIC_SERVICE,
        "《中华人民共和国退役军人保障法》；《退役军人、其他优抚对象优待证管理办法（试行）》", 30, 15, PERSON,
        "在本市落户、已完成信息采集的退役军人和其他优抚对象",
        (ID_CARD, fetched_license("退役证件", "veteran-discharge-certificate"),
         applicant("近期免冠彩色电子照片", form="electronic")),
        "中华人民共和国退役军人优待证",
    ),
    DemoItem(
        "退役军人事务局", 2, "自主就业退役士兵一次性经济补助金发放", PAYMENT, "《退役士兵安置条例》第十九条、第二十条",
        20, 10, PERSON,
        "选择自主就业、在本市办理落户并报到的退役士兵",
        (ID_CARD, fetched_license("退役证件", "veteran-discharge-certificate"),
         fetched_license("社会保障卡（发放账户）", "social-security-card")),
        "一次性经济补助金发放通知", result_type=OTHER, online="3",
    ),
    DemoItem(
        "退役军人事务局", 3, "伤残抚恤关系转移", PUBLIC_SERVICE,
        "《伤残抚恤管理办法》（退役军人事务部令第1号）", 30, 15, PERSON,
        "持有残疾军人证、户口迁入本市的残疾军人、伤残人民警察等伤残人员",
        (ID_CARD, HOUSEHOLD_REGISTER, fetched_license("残疾军人证", "disabled-serviceman-certificate"),
         applicant("伤残抚恤关系转移申请", form="electronic")),
        "伤残抚恤关系转移手续", result_type=OTHER, online="3",
    ),
)
# fmt: on

ITEMS = POLICE_ITEMS + CIVIL_ITEMS + OTHER_RESIDENT_ITEMS
