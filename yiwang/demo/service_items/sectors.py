"""Items of agriculture, culture and tourism, and the utilities' connection services (水电气报装)."""

from __future__ import annotations

from yiwang.demo.service_items.common import (
    BOTH,
    BUSINESS_LICENSE,
    COUNTY,
    ENTERPRISE,
    ENTITY_RECORD,
    ENTRUSTED,
    ID_CARD,
    LICENSING,
    NATURAL,
    OTHER,
    OTHER_POWER,
    PERSON,
    PUBLIC_SERVICE,
    DemoItem,
    applicant,
    fetched_license,
)

AGRICULTURE = "农业农村局"
CULTURE = "文化和旅游局"
ENTERTAINMENT_RULES = "《娱乐场所管理条例》"
POWER_BASIS = (
    "《电力供应与使用条例》第八条；"
    "《国家发展改革委 国家能源局关于全面提升“获得电力”服务水平 持续优化用电营商环境的意见》（发改能源规〔2020〕1479号）"
)
UTILITY_PLACE = "明湖市政务服务中心（明湖大道188号）一楼水电气报装窗口，或“明湖通办”网上办事大厅"
PROPERTY_PROOF = fetched_license("不动产权证书", "real-estate-certificate", notes="调用电子证照；租用的另附租赁合同")

# fmt: off
AGRICULTURE_ITEMS = (
    DemoItem(
        AGRICULTURE, 1, "农药经营许可", LICENSING, "《农药管理条例》第二十四条、第二十五条；《农药经营许可管理办法》",
        20, 10, ENTERPRISE,
        "有具备农药和病虫害防治专业知识的经营人员，有与经营农药相适应的营业场所和仓储场所，有可追溯电子信息码扫描识别设备",
        (
            applicant("农药经营许可证申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("经营人员的学历或者培训证明", form="electronic"),
            applicant("营业场所和仓储场所地址、面积、平面图等说明材料及照片", form="electronic"),
            applicant("农药经营质量管理制度和岗位操作规程", form="electronic"),
        ),
        "农药经营许可证", handling=("新办", "变更", "延续"),
    ),
    DemoItem(
        AGRICULTURE, 2, "兽药经营许可证核发", LICENSING, "《兽药管理条例》第二十二条、第二十三条", 30, 15, ENTERPRISE,
        "有与所经营的兽药相适应的兽药技术人员、营业场所、设备、仓库设施和质量管理机构及人员",
        (
            applicant("兽药经营许可证申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("兽药技术人员学历证明或者职称证书", form="electronic"),
            applicant("营业场所、仓库的产权或者使用权证明", form="electronic"),
        ),
        "兽药经营许可证",
    ),
    DemoItem(
        AGRICULTURE, 3, "农作物种子生产经营许可", LICENSING,
        "《中华人民共和国种子法》第三十一条、第三十二条；《农作物种子生产经营许可管理办法》", 20, 10, ENTERPRISE,
        "具有与种子生产经营相适应的生产经营设施、设备及专业技术人员，以及法规和国务院农业农村主管部门规定的其他条件",
        (
            applicant("农作物种子生产经营许可证申请表", form="electronic"),
            BUSINESS_LICENSE,
            applicant("种子检验、加工等设施设备清单和产权证明", form="electronic"),
            applicant("种子检验人员、贮藏保管人员的资质证明", form="electronic"),
        ),
        "农作物种子生产经营许可证",
    ),
    DemoItem(
        AGRICULTURE, 4, "动物防疫条件合格证核发", LICENSING,
        "《中华人民共和国动物防疫法》第二十四条、第二十五条；《动物防疫条件审查办法》（农业农村部令2022年第8号）",
        15, 10, BOTH,
        "动物饲养场、屠宰加工场所、无害化处理场所等的选址、布局、设施设备和防疫制度符合动物防疫条件",
        (
            applicant("动物防疫条件审查申请表", form="electronic"),
            ENTITY_RECORD,
            applicant("场所地理位置图、各功能区布局平面图", form="electronic"),
            applicant("设施设备清单和管理制度文本", form="electronic"),
        ),
        "动物防疫条件合格证",
    ),
    DemoItem(
        AGRICULTURE, 5, "拖拉机和联合收割机登记", LICENSING,
        "《中华人民共和国道路交通安全法》第一百二十一条；《农业机械安全监督管理条例》第二十一条", 2, 0, BOTH,
        "拖拉机、联合收割机投入使用前，所有人向所在地农业机械化主管部门申请登记",
        (
            ID_CARD,
            applicant("拖拉机和联合收割机登记申请表", form="electronic"),
            applicant("来历证明和出厂合格证明", form="electronic"),
            applicant("机动车交通事故责任强制保险凭证", form="electronic"),
        ),
        "拖拉机和联合收割机登记证书、号牌、行驶证", online="2",
        handling=("注册登记", "变更登记", "转移登记", "注销登记"),
    ),
)

CULTURE_ITEMS = (
    DemoItem(
        CULTURE, 1, "娱乐场所经营活动审批", LICENSING, f"{ENTERTAINMENT_RULES}第九条、第十一条", 20, 10, ENTERPRISE,
        "营业场所位置、面积、设施符合规定，不在居民楼、博物馆、图书馆和被核定为文物保护单位的建筑物内",
        (
            applicant("娱乐经营许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("投资人、法定代表人、负责人无《娱乐场所管理条例》第五条规定情形的书面声明", form="electronic"),
            applicant("营业场所产权证明或者租赁合同和场所平面示意图", form="electronic"),
        ),
        "娱乐经营许可证", statutory_unit=NATURAL, level=COUNTY,
    ),
    DemoItem(
        CULTURE, 2, "互联网上网服务营业场所经营单位设立审批", LICENSING,
        "《互联网上网服务营业场所管理条例》第七条、第八条、第十条、第十一条", 20, 10, ENTERPRISE,
        "有与其经营活动相适应的营业场所、计算机等装置及附属设备，有健全、完善的信息网络安全管理制度和安全技术措施",
        (
            applicant("互联网上网服务营业场所经营单位设立申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("营业场所产权证明或者租赁意向书", form="electronic"),
            applicant("网络安全、消防安全审核意见", form="electronic"),
        ),
        "网络文化经营许可证", statutory_unit=NATURAL,
    ),
    DemoItem(
        CULTURE, 3, "旅行社业务经营许可", LICENSING, "《旅行社条例》第六条、第七条", 20, 10, ENTERPRISE,
        "有固定的经营场所、必要的营业设施，按规定交存质量保证金，申请经营国内旅游业务和入境旅游业务",
        (
            applicant("旅行社业务经营许可申请书", form="electronic"),
            BUSINESS_LICENSE,
            applicant("经营场所证明", form="electronic"),
            applicant("营业设施、设备的证明或者说明", form="electronic"),
        ),
        "旅行社业务经营许可证", power=ENTRUSTED,
    ),
    DemoItem(
        CULTURE, 4, "艺术品经营单位备案", OTHER_POWER, "《艺术品经营管理办法》（文化部令第56号）第五条",
        0, 0, ENTERPRISE,
        "设立从事艺术品经营活动的经营单位，在领取营业执照之日起15日内备案",
        (applicant("艺术品经营单位备案表", form="electronic"), BUSINESS_LICENSE),
        "艺术品经营单位备案证明", result_type=OTHER,
    ),
)

UTILITY_ITEMS = (
    DemoItem(
        "供电公司", 1, "低压居民用电报装", PUBLIC_SERVICE, POWER_BASIS, 5, 2, PERSON,
        "用电地址在本市供电营业区内的居民客户，用电地址产权清楚",
        (ID_CARD, PROPERTY_PROOF),
        "供电合同及装表接电", result_type=OTHER, place=UTILITY_PLACE,
    ),
    DemoItem(
        "供电公司", 2, "低压非居民用电报装", PUBLIC_SERVICE, POWER_BASIS, 15, 5, ENTERPRISE,
        "用电容量160千伏安及以下的小微企业等低压非居民客户，实行“三零”（零上门、零审批、零投资）服务",
        (ENTITY_RECORD, PROPERTY_PROOF),
        "供电合同及装表接电", result_type=OTHER, place=UTILITY_PLACE,
    ),
    DemoItem(
        "供水公司", 1, "用水报装", PUBLIC_SERVICE, "《城市供水条例》第二十一条、第二十二条", 15, 5, BOTH,
        "用水地址在城市公共供水管网覆盖范围内，建筑物已取得合法手续",
        (ID_CARD, PROPERTY_PROOF, applicant("用水报装申请表（网上填报）", form="electronic")),
        "供用水合同及通水", result_type=OTHER, place=UTILITY_PLACE,
    ),
    DemoItem(
        "燃气公司", 1, "燃气报装", PUBLIC_SERVICE, "《城镇燃气管理条例》第十七条、第十八条", 15, 5, BOTH,
        "用气地址在城镇燃气管网覆盖范围内，用气场所符合燃气使用安全条件",
        (ID_CARD, PROPERTY_PROOF, applicant("燃气报装申请表（网上填报）", form="electronic")),
        "供用气合同及通气", result_type=OTHER, place=UTILITY_PLACE, statutory_unit=NATURAL,
    ),
)
# fmt: on

ITEMS = AGRICULTURE_ITEMS + CULTURE_ITEMS + UTILITY_ITEMS
