"""Items of land and buildings: real estate registration and planning, construction permits, city roads, transport,
water, environment and work safety."""

from __future__ import annotations

from yiwang.demo.service_items.common import (
    APPROVAL,
    BOTH,
    BUSINESS_LICENSE,
    CONFIRMATION,
    COUNTY,
    ENTERPRISE,
    ENTITY_RECORD,
    ENTRUSTED,
    ID_CARD,
    LICENSING,
    NATURAL,
    OTHER,
    OTHER_POWER,
    PAYMENT,
    PUBLIC_SERVICE,
    DemoItem,
    applicant,
    fetched_license,
    id_card,
    registered,
)
from yiwang.services.catalog.services import FeeInput

HOUSING = "住房和城乡建设局"
RESOURCES = "自然资源和规划局"
URBAN = "城市管理局"
TRANSPORT = "交通运输局"
WATER = "水利局"
ENVIRONMENT = "生态环境局"
EMERGENCY = "应急管理局"

REGISTRATION_BASIS = "《中华人民共和国民法典》第二百零九条、第二百一十条；《不动产登记暂行条例》第十四条、第二十条"
FEE_NOTICE = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
REGISTRATION_FEE = FeeInput(
    "不动产登记费",
    "住宅类80元/件，非住宅类550元/件；每增加一本证书加收证书工本费10元",
    FEE_NOTICE,
    reducible=True,
)
MORTGAGE_FEE = FeeInput(
    "不动产登记费（抵押权登记）",
    "住宅类80元/件，非住宅类550元/件；注销抵押权登记不收费",
    FEE_NOTICE,
    reducible=True,
)
REAL_ESTATE_CERTIFICATE = fetched_license("不动产权证书", "real-estate-certificate")
REGISTRATION_FORM = applicant("不动产登记申请书", form="electronic")
PARTIES_ID = id_card("申请人（权利人、义务人）")
PLANNING_PERMIT = fetched_license("建设工程规划许可证", "construction-planning-permit")
LAND_PERMIT = fetched_license("建设用地规划许可证", "land-use-planning-permit")
PLANNING_LAW = "《中华人民共和国城乡规划法》"
ROAD_RULES = "《中华人民共和国道路运输条例》"
NUMBER = r"^\d+(\.\d+)?$"
# The 建筑工程施工许可证's elements (demo/licenses.py); the 建设单位 is the enterprise that applies.
CONSTRUCTION_PERMIT_FORM = {
    "type": "object",
    "properties": {
        "project_name": {"type": "string", "title": "工程名称", "maxLength": 200},
        "construction_address": {"type": "string", "title": "建设地址", "maxLength": 200},
        "construction_scale": {
            "type": "string",
            "title": "建设规模",
            "maxLength": 200,
            "description": "如：总建筑面积12,600平方米，地上18层、地下2层",
        },
        "contract_price": {"type": "string", "title": "合同价格（万元）", "pattern": NUMBER},
        "design_unit": {"type": "string", "title": "设计单位", "maxLength": 200},
        "construction_unit": {"type": "string", "title": "施工单位", "maxLength": 200},
        "supervision_unit": {"type": "string", "title": "监理单位（依法必须监理的）", "maxLength": 200},
        "contract_period": {"type": "integer", "title": "合同工期（日历天）", "minimum": 1, "maximum": 3650},
    },
    "required": [
        "project_name",
        "construction_address",
        "construction_scale",
        "contract_price",
        "design_unit",
        "construction_unit",
        "contract_period",
    ],
}
# The 道路运输经营许可证's elements: the operator from the legal-entity registry, the scope chosen.
ROAD_TRANSPORT_FORM = {
    "type": "object",
    "properties": {
        "name": registered("name", "业户名称", maxLength=200),
        "address": registered("address", "地址", maxLength=200),
        "scope": {
            "type": "string",
            "title": "经营范围",
            "enum": [
                "道路普通货物运输",
                "道路货物专用运输（集装箱）",
                "道路大型物件运输",
                "道路旅客运输（班车客运）",
                "道路旅客运输（包车客运）",
                "道路危险货物运输",
            ],
        },
        "vehicles": {"type": "integer", "title": "拟投入车辆数", "minimum": 1, "maximum": 10000},
    },
    "required": ["name", "address", "scope", "vehicles"],
}

# fmt: off
RESOURCE_ITEMS = (
    DemoItem(
        RESOURCES, 1, "国有建设用地使用权及房屋所有权登记", CONFIRMATION, REGISTRATION_BASIS, 30, 5, BOTH,
        "不动产权属清楚、界址清晰、面积准确，申请人提交的材料齐全、符合法定形式；买卖等转移登记由当事人双方共同申请",
        (
            REGISTRATION_FORM,
            PARTIES_ID,
            applicant("不动产权属来源证明材料（商品房买卖合同、继承或者赠与材料等）", form="electronic"),
            REAL_ESTATE_CERTIFICATE,
            applicant("完税凭证", form="electronic", notes="已通过“一窗受理”由税务部门推送的免提交"),
            applicant("不动产权籍调查表、宗地图、房屋平面图（首次登记）", required=False, form="electronic"),
        ),
        "不动产权证书", fees=(REGISTRATION_FEE,),
        handling=("首次登记", "转移登记", "变更登记", "更正登记", "注销登记"),
    ),
    DemoItem(
        RESOURCES, 2, "不动产抵押权登记", CONFIRMATION,
        "《中华人民共和国民法典》第三百九十五条、第四百零二条；《不动产登记暂行条例》第十四条、第二十条", 30, 1,
        BOTH,
        "以建设用地使用权、房屋等不动产抵押的，由抵押人和抵押权人共同申请；抵押权自登记时设立",
        (
            REGISTRATION_FORM,
            PARTIES_ID,
            REAL_ESTATE_CERTIFICATE,
            applicant("主债权合同和抵押合同", form="electronic"),
            fetched_license("抵押权人金融许可证", "financial-license", required=False),
        ),
        "不动产登记证明（抵押权）", fees=(MORTGAGE_FEE,),
        handling=("首次登记", "变更登记", "转移登记", "注销登记"),
    ),
    DemoItem(
        RESOURCES, 3, "不动产预告登记", CONFIRMATION,
        "《中华人民共和国民法典》第二百二十一条；《不动产登记暂行条例实施细则》第八十五条", 30, 3, BOTH,
        "预购商品房、以预购商品房设定抵押等情形，当事人按照约定申请预告登记",
        (REGISTRATION_FORM, PARTIES_ID, applicant("已备案的商品房预售合同", form="electronic")),
        "不动产登记证明（预告登记）", fees=(REGISTRATION_FEE,),
        handling=("预购商品房预告登记", "预购商品房抵押预告登记", "预告登记注销"),
    ),
    DemoItem(
        RESOURCES, 4, "宅基地使用权及房屋所有权登记", CONFIRMATION,
        f"{REGISTRATION_BASIS}；《中华人民共和国土地管理法》第六十二条", 30, 10, BOTH,
        "依法取得宅基地使用权、房屋符合规划或者建设的农村村民，权属清楚、无争议",
        (
            REGISTRATION_FORM,
            ID_CARD,
            applicant("宅基地批准文件或者村民委员会出具的权属来源证明", form="electronic"),
            applicant("不动产权籍调查表、宗地图、房屋平面图", form="electronic"),
        ),
        "不动产权证书", online="3",
        fees=(FeeInput("不动产权属证书工本费", "10元/本（宅基地使用权及房屋所有权首次登记只收工本费）", FEE_NOTICE),),
    ),
    DemoItem(
        RESOURCES, 5, "不动产登记资料查询", PUBLIC_SERVICE,
        "《不动产登记暂行条例》第二十七条；《不动产登记资料查询暂行办法》（国土资源部令第80号）", 0, 0, BOTH,
        "权利人、利害关系人可以依法查询、复制不动产登记资料",
        (ID_CARD, applicant("不动产登记资料查询申请书", form="electronic")),
        "不动产登记资料查询结果证明", result_type=OTHER,
    ),
    DemoItem(
        RESOURCES, 6, "建设用地规划许可证核发", LICENSING, f"{PLANNING_LAW}第三十七条、第三十八条", 20, 5, ENTERPRISE,
        "以划拨方式提供国有土地使用权的建设项目经有关部门批准、核准、备案，或者已签订国有建设用地使用权出让合同",
        (
            applicant("建设用地规划许可申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("国有建设用地使用权出让合同或者划拨决定书", form="electronic"),
            applicant("建设项目批准、核准或者备案文件", form="electronic"),
        ),
        "建设用地规划许可证",
    ),
    DemoItem(
        RESOURCES, 7, "建设工程规划许可证核发", LICENSING, f"{PLANNING_LAW}第四十条", 20, 5, ENTERPRISE,
        "在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设，建设工程设计方案符合控制性详细规划和规划条件",
        (
            applicant("建设工程规划许可申请表", form="electronic"),
            ENTITY_RECORD,
            LAND_PERMIT,
            applicant("建设工程设计方案（总平面图、建筑单体方案）", form="electronic"),
        ),
        "建设工程规划许可证",
    ),
    DemoItem(
        RESOURCES, 8, "乡村建设规划许可证核发", LICENSING,
        f"{PLANNING_LAW}第四十一条；《中华人民共和国土地管理法》第六十二条", 20, 10, BOTH,
        "在乡、村庄规划区内进行乡镇企业、乡村公共设施和公益事业建设以及农村村民住宅建设，不占用或者依法办理了农用地转用审批",
        (
            applicant("乡村建设规划许可申请表", form="electronic"),
            ID_CARD,
            applicant("建设工程设计方案或者农村住房设计图", form="electronic"),
            applicant("村民委员会意见", form="electronic"),
        ),
        "乡村建设规划许可证", online="3",
    ),
    DemoItem(
        RESOURCES, 9, "建设项目用地预审与选址意见书核发", LICENSING,
        f"{PLANNING_LAW}第三十六条；《中华人民共和国土地管理法实施条例》第二十四条", 20, 10, ENTERPRISE,
        "需要有关部门批准或者核准、以划拨方式提供国有土地使用权的建设项目，以及需要办理用地预审的建设项目",
        (
            applicant("建设项目用地预审与选址申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("建设项目用地预审与选址申请报告", form="electronic"),
            applicant("建设项目拟选址位置及用地范围图", form="electronic"),
        ),
        "建设项目用地预审与选址意见书",
    ),
)

HOUSING_ITEMS = (
    DemoItem(
        HOUSING, 1, "建筑工程施工许可证核发", LICENSING,
        "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）第二条、第五条",
        7, 3, ENTERPRISE,
        "已办理用地批准手续，已取得建设工程规划许可证，施工场地已基本具备施工条件，已确定施工企业，有满足施工需要的资金安排和施工图纸",
        (
            applicant("建筑工程施工许可证申请表", form="electronic"),
            ENTITY_RECORD,
            PLANNING_PERMIT,
            applicant("中标通知书或者直接发包批准手续及施工合同", form="electronic"),
            applicant("施工图设计文件审查合格书", form="electronic", notes="联合审图系统已推送的免提交"),
            applicant("建设资金已经落实承诺书", form="electronic"),
        ),
        "建筑工程施工许可证", statutory_unit=NATURAL,
        form=CONSTRUCTION_PERMIT_FORM, license_type="construction-permit",
    ),
    DemoItem(
        HOUSING, 2, "商品房预售许可", LICENSING,
        "《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》（建设部令第131号）第五条、第七条",
        10, 5, ENTERPRISE,
        "已交付全部土地使用权出让金，取得土地使用权证书、建设工程规划许可证和施工许可证，投入开发建设的资金达到工程建设总投资的25%以上",
        (
            applicant("商品房预售许可申请表", form="electronic"),
            BUSINESS_LICENSE,
            fetched_license("房地产开发企业资质证书", "real-estate-developer-qualification"),
            REAL_ESTATE_CERTIFICATE,
            PLANNING_PERMIT,
            fetched_license("建筑工程施工许可证", "construction-permit"),
        ),
        "商品房预售许可证", statutory_unit=NATURAL,
    ),
    DemoItem(
        HOUSING, 3, "建筑业企业资质核准", LICENSING,
        "《中华人民共和国建筑法》第十三条；《建筑业企业资质管理规定》（住房和城乡建设部令第22号）", 20, 10, ENTERPRISE,
        "具有满足资质标准要求的资产、注册建造师及其他注册人员、工程技术人员、技术装备和已完成的建筑工程业绩",
        (
            applicant("建筑业企业资质申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("企业净资产证明和主要人员证明材料", form="electronic"),
            applicant("技术装备和工程业绩证明材料", form="electronic"),
        ),
        "建筑业企业资质证书", power=ENTRUSTED,
        handling=("施工总承包三级资质", "专业承包资质", "施工劳务资质备案"),
    ),
    DemoItem(
        HOUSING, 4, "燃气经营许可", LICENSING, "《城镇燃气管理条例》第十五条", 20, 10, ENTERPRISE,
        "符合燃气发展规划要求，有符合国家标准的燃气气源和燃气设施，有固定的经营场所、完善的安全管理制度和健全的经营方案",
        (
            applicant("燃气经营许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("燃气气源和燃气设施证明材料", form="electronic"),
            applicant("主要负责人、安全生产管理人员以及运行、维护和抢修人员的培训考核合格证明", form="electronic"),
            applicant("安全管理制度和经营方案", form="electronic"),
        ),
        "燃气经营许可证",
    ),
    DemoItem(
        HOUSING, 5, "建设工程消防验收", LICENSING,
        "《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》（住房和城乡建设部令第58号）",
        15, 7, ENTERPRISE,
        "特殊建设工程竣工后，建设单位组织竣工验收，工程完成设计和合同约定的消防内容",
        (
            applicant("特殊建设工程消防验收申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("工程竣工验收报告", form="electronic"),
            applicant("涉及消防的建设工程竣工图纸", form="electronic"),
        ),
        "特殊建设工程消防验收意见书", result_type=APPROVAL, statutory_unit=NATURAL,
    ),
    DemoItem(
        HOUSING, 6, "房屋建筑和市政基础设施工程竣工验收备案", OTHER_POWER,
        "《建设工程质量管理条例》第四十九条；《房屋建筑和市政基础设施工程竣工验收备案管理办法》", 15, 3, ENTERPRISE,
        "建设单位自建设工程竣工验收合格之日起15日内备案",
        (
            applicant("工程竣工验收备案表", form="electronic"),
            ENTITY_RECORD,
            applicant("工程竣工验收报告", form="electronic"),
            applicant("施工单位签署的工程质量保修书", form="electronic"),
        ),
        "工程竣工验收备案证明", result_type=OTHER, statutory_unit=NATURAL,
    ),
    DemoItem(
        HOUSING, 7, "公共租赁住房保障申请", PAYMENT,
        "《公共租赁住房管理办法》（住房和城乡建设部令第11号）第七条至第十条", 30, 20, BOTH,
        "在本市无房或者住房面积低于规定标准、收入和财产低于规定标准的家庭，以及符合条件的新就业无房职工、外来务工人员",
        (
            applicant("公共租赁住房申请表", form="electronic"),
            ID_CARD,
            applicant("家庭成员收入、住房情况申报及信息核对授权书", form="electronic"),
            applicant("劳动合同或者工作证明（新就业职工、外来务工人员）", required=False, form="electronic"),
        ),
        "公共租赁住房保障资格审核结果", result_type=APPROVAL, online="3",
    ),
    DemoItem(
        HOUSING, 8, "房屋租赁登记备案", OTHER_POWER, "《商品房屋租赁管理办法》（住房和城乡建设部令第6号）第十四条",
        0, 0, BOTH,
        "房屋租赁合同订立后三十日内，房屋租赁当事人到租赁房屋所在地房产管理部门办理登记备案",
        (
            applicant("房屋租赁合同", form="electronic"),
            id_card("出租人和承租人"),
            REAL_ESTATE_CERTIFICATE,
        ),
        "房屋租赁登记备案证明", result_type=OTHER,
    ),
)

URBAN_ITEMS = (
    DemoItem(
        URBAN, 1, "城市道路占用挖掘许可", LICENSING, "《城市道路管理条例》第三十条、第三十一条、第三十三条",
        20, 5, BOTH,
        "因特殊情况需要临时占用城市道路，或者因工程建设需要挖掘城市道路；影响交通安全的，还需取得公安交通管理部门同意",
        (
            applicant("占用、挖掘城市道路申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("施工方案、占用或者挖掘位置图和交通组织方案", form="electronic"),
            applicant("规划部门批准文件（挖掘城市道路的）", required=False, form="electronic"),
        ),
        "城市道路占用挖掘许可决定书", result_type=APPROVAL,
        handling=("临时占用城市道路", "挖掘城市道路", "依附城市道路建设管线"),
    ),
    DemoItem(
        URBAN, 2, "户外广告设施设置审批", LICENSING, "《城市市容和环境卫生管理条例》第十一条", 20, 5, BOTH,
        "设置大型户外广告，设置位置符合户外广告设置规划，设施结构安全",
        (
            applicant("户外广告设施设置申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("设置地点的场地使用证明", form="electronic"),
            applicant("户外广告设施设计效果图和结构安全证明", form="electronic"),
        ),
        "户外广告设施设置许可决定书", result_type=APPROVAL,
        handling=("新设", "延续", "变更"),
    ),
    DemoItem(
        URBAN, 3, "城市建筑垃圾处置核准", LICENSING,
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第101项；《城市建筑垃圾管理规定》（建设部令第139号）",
        20, 5, ENTERPRISE,
        "处置建筑垃圾的单位编制了建筑垃圾处理方案，有消纳场所和符合要求的运输车辆",
        (
            applicant("城市建筑垃圾处置核准申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("建筑垃圾处理方案", form="electronic"),
            applicant("与运输单位、消纳场所签订的合同", form="electronic"),
        ),
        "城市建筑垃圾处置核准决定书", result_type=APPROVAL,
    ),
    DemoItem(
        URBAN, 4, "从事城市生活垃圾经营性清扫、收集、运输服务审批", LICENSING,
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第102项；《城市生活垃圾管理办法》（建设部令第157号）",
        20, 10, ENTERPRISE,
        "具有相应的清扫、收集、运输设备，具有健全的技术、质量、安全和监测管理制度并得到有效执行，具有合法的道路运输经营许可证",
        (
            applicant("城市生活垃圾经营性服务申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("机械清扫设备、垃圾收集运输车辆的清单和行驶证", form="electronic"),
            applicant("技术、质量、安全和监测管理制度", form="electronic"),
        ),
        "城市生活垃圾经营性服务许可证",
    ),
)

TRANSPORT_ITEMS = (
    DemoItem(
        TRANSPORT, 1, "道路运输经营许可", LICENSING, f"{ROAD_RULES}第八条、第十条、第二十一条、第二十四条", 20, 10,
        ENTERPRISE,
        "有与经营业务相适应并经检测合格的车辆，有符合规定条件的驾驶人员，有健全的安全生产管理制度；危险货物运输另需专用车辆和专业人员",
        (
            applicant("道路运输经营申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("拟投入车辆承诺书", form="electronic"),
            fetched_license("驾驶人员的机动车驾驶证和从业资格证", "road-transport-qualification"),
            applicant("安全生产管理制度文本", form="electronic"),
        ),
        "道路运输经营许可证", statutory_unit=NATURAL,
        handling=("道路旅客运输经营许可", "道路危险货物运输经营许可", "变更", "注销"),
        form=ROAD_TRANSPORT_FORM, license_type="road-transport-business-license",
    ),
    DemoItem(
        TRANSPORT, 2, "经营性道路客货运输驾驶员从业资格认定", LICENSING,
        f"{ROAD_RULES}第九条、第二十三条；《道路运输从业人员管理规定》", 10, 5, BOTH,
        "取得相应的机动车驾驶证，年龄不超过60周岁，3年内无重大以上交通责任事故，经考试合格",
        (ID_CARD, fetched_license("机动车驾驶证", "driving-licence"), applicant("从业资格考试申请表")),
        "道路运输从业人员从业资格证", online="3",
    ),
    DemoItem(
        TRANSPORT, 3, "网络预约出租汽车运输证核发", LICENSING,
        "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第112项；《网络预约出租汽车经营服务管理暂行办法》第十二条",
        20, 5, BOTH,
        "拟从事网约车经营的车辆为7座及以下乘用车，安装具有行驶记录功能的车辆卫星定位装置和应急报警装置，车辆技术性能符合运营安全要求",
        (
            applicant("网络预约出租汽车运输证申请表", form="electronic"),
            fetched_license("机动车行驶证", "vehicle-license"),
            applicant("车辆卫星定位装置和应急报警装置安装证明", form="electronic"),
        ),
        "网络预约出租汽车运输证",
    ),
    DemoItem(
        TRANSPORT, 4, "机动车维修经营备案", OTHER_POWER, f"{ROAD_RULES}第三十七条", 0, 0, ENTERPRISE,
        "有与其经营业务相适应的维修车辆停车场和生产厂房、设备设施、技术人员和管理制度，在取得营业执照后备案",
        (
            applicant("机动车维修经营备案表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("维修设备设施汇总表、维修检测设备及计量设备检定合格证明", form="electronic"),
            applicant("技术人员汇总表和维修管理制度", form="electronic"),
        ),
        "机动车维修经营备案回执", result_type=OTHER,
    ),
    DemoItem(
        TRANSPORT, 5, "公路超限运输许可", LICENSING,
        "《中华人民共和国公路法》第五十条；《公路安全保护条例》第三十五条、第三十六条；《超限运输车辆行驶公路管理规定》",
        5, 2, BOTH,
        "车辆、车货总体的外廓尺寸、轴荷或者总质量超过规定限值，载运不可解体物品，确需行驶公路",
        (
            applicant("公路超限运输申请表", form="electronic"),
            fetched_license("机动车行驶证", "vehicle-license"),
            fetched_license("道路运输证", "road-transport-certificate"),
            applicant("货物名称、重量、外廓尺寸及必要的总体轮廓图和护送方案", form="electronic"),
        ),
        "超限运输车辆通行证",
    ),
)

WATER_ITEMS = (
    DemoItem(
        WATER, 1, "取水许可", LICENSING,
        "《中华人民共和国水法》第七条、第四十八条；《取水许可和水资源费征收管理条例》第二条、第十一条至第二十一条",
        45, 20, ENTERPRISE,
        "直接从江河、湖泊或者地下取用水资源，取水符合水资源规划、用水总量控制指标和水功能区要求",
        (
            applicant("取水许可申请书", form="electronic"),
            ENTITY_RECORD,
            applicant("建设项目水资源论证报告书（表）", form="electronic"),
            applicant("与第三者利害关系的相关说明", required=False, form="electronic"),
        ),
        "取水许可证", handling=("新办", "变更", "延续", "注销"),
    ),
    DemoItem(
        WATER, 2, "河道管理范围内建设项目工程建设方案审批", LICENSING,
        "《中华人民共和国水法》第三十八条；《中华人民共和国防洪法》第二十七条；《中华人民共和国河道管理条例》第十一条",
        20, 10, ENTERPRISE,
        "在河道管理范围内建设桥梁、码头、道路、管道、缆线等工程设施，工程建设方案符合防洪标准和河势稳定要求",
        (
            applicant("河道管理范围内建设项目申请书", form="electronic"),
            ENTITY_RECORD,
            applicant("防洪评价报告", form="electronic"),
            applicant("建设项目所依据的文件和工程建设方案", form="electronic"),
        ),
        "河道管理范围内建设项目工程建设方案审批决定书", result_type=APPROVAL,
    ),
    DemoItem(
        WATER, 3, "生产建设项目水土保持方案审批", LICENSING, "《中华人民共和国水土保持法》第二十五条、第二十六条",
        20, 10, ENTERPRISE,
        "在山区、丘陵区、风沙区以及水土保持规划确定的容易发生水土流失的其他区域开办可能造成水土流失的生产建设项目",
        (
            applicant("生产建设项目水土保持方案审批申请", form="electronic"),
            ENTITY_RECORD,
            applicant("水土保持方案报告书（表）", form="electronic"),
        ),
        "水土保持方案审批决定书", result_type=APPROVAL,
    ),
)

ENVIRONMENT_ITEMS = (
    DemoItem(
        ENVIRONMENT, 1, "排污许可", LICENSING,
        "《中华人民共和国环境保护法》第四十五条；《排污许可管理条例》（国务院令第736号）第二条、第六条", 30, 15,
        ENTERPRISE,
        "依法应当实行排污许可管理的排污单位，污染物排放符合排放标准和重点污染物排放总量控制要求，有符合规定的自行监测方案",
        (
            applicant("排污许可证申请表（全国排污许可证管理信息平台填报）", form="electronic"),
            BUSINESS_LICENSE,
            applicant("自行监测方案", form="electronic"),
            applicant("建设项目环境影响评价文件审批文号或者备案编号", form="electronic"),
            applicant("排污许可证申请前信息公开情况说明", form="electronic"),
        ),
        "排污许可证", statutory_unit=NATURAL,
        handling=("首次申请", "重新申请", "变更", "延续", "注销"),
    ),
    DemoItem(
        ENVIRONMENT, 2, "建设项目环境影响评价文件审批", LICENSING,
        "《中华人民共和国环境影响评价法》第十六条、第二十二条；《建设项目环境保护管理条例》第九条", 60, 20,
        ENTERPRISE,
        "依法应当编制环境影响报告书、报告表的建设项目，在开工建设前报批；报告书60日内、报告表30日内作出审批决定",
        (
            applicant("建设项目环境影响评价文件报批申请书", form="electronic"),
            ENTITY_RECORD,
            applicant("环境影响报告书（表）", form="electronic"),
            applicant("公众参与说明（编制报告书的）", required=False, form="electronic"),
        ),
        "建设项目环境影响评价文件批复", result_type=APPROVAL, statutory_unit=NATURAL,
        handling=("环境影响报告书审批", "环境影响报告表审批"),
    ),
    DemoItem(
        ENVIRONMENT, 3, "建设项目环境影响登记表备案", OTHER_POWER,
        "《中华人民共和国环境影响评价法》第二十二条；《建设项目环境影响登记表备案管理办法》（环境保护部令第41号）",
        0, 0, ENTERPRISE,
        "对环境影响很小、不需要进行环境影响评价的建设项目，在建成并投入生产运营前在网上备案",
        (applicant("建设项目环境影响登记表（网上填报）", form="electronic"), ENTITY_RECORD),
        "建设项目环境影响登记表备案回执", result_type=OTHER,
    ),
)

EMERGENCY_ITEMS = (
    DemoItem(
        EMERGENCY, 1, "危险化学品经营许可", LICENSING,
        "《危险化学品安全管理条例》第三十三条至第三十五条；《危险化学品经营许可证管理办法》（国家安全生产监督管理总局令第55号）",
        30, 10, ENTERPRISE,
        "有符合国家标准、行业标准的经营场所和储存设施，从业人员经过专业技术培训并经考核合格，有健全的安全管理规章制度和事故应急预案",
        (
            applicant("危险化学品经营许可证申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("经营场所产权证明或者租赁证明", form="electronic"),
            applicant("主要负责人、安全生产管理人员的安全生产知识和管理能力考核合格证明", form="electronic"),
            applicant("安全生产规章制度和岗位操作规程目录、事故应急预案", form="electronic"),
        ),
        "危险化学品经营许可证", statutory_unit=NATURAL,
        handling=("新办（不带储存设施）", "变更", "延期", "注销"),
    ),
    DemoItem(
        EMERGENCY, 2, "烟花爆竹经营（零售）许可", LICENSING,
        "《烟花爆竹安全管理条例》第十八条、第十九条；《烟花爆竹经营许可实施办法》（国家安全生产监督管理总局令第65号）",
        20, 5, BOTH,
        "零售经营场所布点符合规划，主要负责人经过安全培训，实行专店或者专柜销售，有相应的安全管理制度",
        (
            applicant("烟花爆竹经营（零售）许可证申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("零售经营场所符合安全条件的相关证明", form="electronic"),
            applicant("主要负责人和安全管理人员的安全培训合格证明", form="electronic"),
        ),
        "烟花爆竹经营（零售）许可证", statutory_unit=NATURAL, level=COUNTY,
    ),
    DemoItem(
        EMERGENCY, 3, "生产经营单位生产安全事故应急预案备案", OTHER_POWER,
        "《中华人民共和国安全生产法》第八十一条；《生产安全事故应急条例》第七条；《生产安全事故应急预案管理办法》",
        0, 0, ENTERPRISE,
        "易燃易爆物品、危险化学品等危险物品的生产、经营、储存单位以及矿山、金属冶炼、建筑施工等单位，在应急预案公布之日起20个工作日内备案",
        (
            applicant("生产经营单位生产安全事故应急预案备案申报表", form="electronic"),
            ENTITY_RECORD,
            applicant("应急预案评审意见", form="electronic"),
            applicant("应急预案电子文档", form="electronic"),
        ),
        "应急预案备案登记表", result_type=OTHER,
    ),
)
# fmt: on

ITEMS = (
    RESOURCE_ITEMS + HOUSING_ITEMS + URBAN_ITEMS + TRANSPORT_ITEMS + WATER_ITEMS + ENVIRONMENT_ITEMS + EMERGENCY_ITEMS
)
