/*M!999999\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: vpopmail
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `dir_control`
--

DROP TABLE IF EXISTS `dir_control`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `dir_control` (
  `domain` char(96) NOT NULL,
  `cur_users` int(11) DEFAULT NULL,
  `level_cur` int(11) DEFAULT NULL,
  `level_max` int(11) DEFAULT NULL,
  `level_start0` int(11) DEFAULT NULL,
  `level_start1` int(11) DEFAULT NULL,
  `level_start2` int(11) DEFAULT NULL,
  `level_end0` int(11) DEFAULT NULL,
  `level_end1` int(11) DEFAULT NULL,
  `level_end2` int(11) DEFAULT NULL,
  `level_mod0` int(11) DEFAULT NULL,
  `level_mod1` int(11) DEFAULT NULL,
  `level_mod2` int(11) DEFAULT NULL,
  `level_index0` int(11) DEFAULT NULL,
  `level_index1` int(11) DEFAULT NULL,
  `level_index2` int(11) DEFAULT NULL,
  `the_dir` char(160) DEFAULT NULL,
  PRIMARY KEY (`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `dir_control`
--
-- ORDER BY:  `domain`

LOCK TABLES `dir_control` WRITE;
/*!40000 ALTER TABLE `dir_control` DISABLE KEYS */;
INSERT INTO `dir_control` VALUES
('dom_89',4,0,3,0,0,0,61,61,61,0,2,4,0,0,0,'');
/*!40000 ALTER TABLE `dir_control` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `example_com`
--

DROP TABLE IF EXISTS `example_com`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `example_com` (
  `pw_name` char(32) NOT NULL,
  `pw_passwd` char(40) DEFAULT NULL,
  `pw_uid` int(11) DEFAULT NULL,
  `pw_gid` int(11) DEFAULT NULL,
  `pw_gecos` char(48) DEFAULT NULL,
  `pw_dir` char(160) DEFAULT NULL,
  `pw_shell` char(20) DEFAULT NULL,
  `pw_clear_passwd` char(16) DEFAULT NULL,
  PRIMARY KEY (`pw_name`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `example_com`
--
-- ORDER BY:  `pw_name`

LOCK TABLES `example_com` WRITE;
/*!40000 ALTER TABLE `example_com` DISABLE KEYS */;
INSERT INTO `example_com` VALUES
('alice','$1$S87Yd.ws$REv5B2GtvYVgQwXb3BzdI/',0,0,'alice','/home/vpopmail/domains/example.com/alice','NOQUOTA','Alice-Pass-1'),
('bob','$1$o7JLLsmF$JULzg09ebC3J1NfnIB.EL.',0,0,'bob','/home/vpopmail/domains/example.com/bob','NOQUOTA','Bob-Pass-2'),
('carol','$1$3yNQBiL/$QNLG1J7JzGzmhaTC7ruPp/',0,0,'carol','/home/vpopmail/domains/example.com/carol','NOQUOTA','Carol-Pass-3'),
('dave','dv5b3FTGu1q.I',0,2,'dave','/home/vpopmail/domains/example.com/dave','NOQUOTA','Dave2pwX'),
('erin','$6$erinsalt0$.MLj7wMSLW.WIWxBwujUT/J2Ai4',0,8,'erin','/home/vpopmail/domains/example.com/erin','NOQUOTA','Erin-Pass-5'),
('frank','$1$b91XOQAD$M5ff0YbPPXKozd5ZSx22S/',0,16,'frank','/home/vpopmail/domains/example.com/frank','NOQUOTA','Frank-Pass-6'),
('grace','$1$NLQuN/rs$qughtW5MZMGgy1e5q4hwh0',0,2048,'grace','/home/vpopmail/domains/example.com/grace','NOQUOTA','Grace-Pass-7'),
('heidi','$1$QwuJpk5a$sDbWZ2zoCUCgUfs5tLA1w0',0,4,'heidi','/home/vpopmail/domains/example.com/heidi','NOQUOTA','Heidi-Pass-8'),
('ivan','$1$87nje0GD$LUeE0MHQD5D7uHbfxJt3v0',0,10,'ivan','/home/vpopmail/domains/example.com/ivan','NOQUOTA','Ivan-Pass-9'),
('john','$1$C/7wjr6U$7gd/h2C6qp59GXMmf4E2I0',0,0,'john','/home/vpopmail/domains/example.com/john','NOQUOTA','John-Pass-19'),
('judy','$1$O1wR9meo$s08aGxrnrjh5p.1HokIZk1',0,0,'judy','/home/vpopmail/domains/example.com/judy','52428800S','Judy-Pass-10'),
('kim','$1$wMmMbPm9$J9Q/w1Mng8ZpBBOfcimbW1',0,0,'kim','/home/vpopmail/domains/example.com/kim','NOQUOTA','Kim-Pass-11'),
('leo','$1$LXiRy37W$lXzgwsTSEkLVZa/peYabq/',0,0,'leo','/home/vpopmail/domains/example.com/leo','NOQUOTA','Leo-Pass-12'),
('mia','$1$Z3me0DhC$s/6KsJqhVATVC.MaG4R6L1',0,0,'mia','/home/vpopmail/domains/example.com/mia','NOQUOTA','Mia-Pass-13'),
('nick','$1$Dib6wDGY$NKeI/fVRNVpkX41iTOJ9E/',0,0,'nick','/home/vpopmail/domains/example.com/nick','NOQUOTA','Nick-Pass-14'),
('oscar','$1$fwVEeAS/$X0/NK6mjoZSYIDLsbOcKE.',0,0,'oscar','/home/vpopmail/domains/example.com/oscar','NOQUOTA','Oscar-Pass-15'),
('paul','$6$paulsalt1$S5GqskeT8.QCYcvnxiF4acoPf0T',0,6,'paul','/home/vpopmail/domains/example.com/paul','NOQUOTA','Paul-Pass-16'),
('postmaster','$1$ENxcatO9$mTrLg2.amOc9wsN2FEVCA/',0,0,'Postmaster','/home/vpopmail/domains/example.com/postmaster','NOQUOTA','Postmaster-1'),
('quinn','qn1uGQSyrnDS.',0,12,'quinn','/home/vpopmail/domains/example.com/quinn','NOQUOTA','Quinn17'),
('rita','$1$HnAO6c4m$ivpRmPFcb7dB52eAncVD0/',0,2052,'rita','/home/vpopmail/domains/example.com/rita','20971520S','Rita-Pass-18'),
('user01','$1$jwWzPRD2$onoaQNqQo07vS/FARb4Tw0',0,0,'user01','/home/vpopmail/domains/example.com/user01','NOQUOTA','Bulk-user01-pw'),
('user02','$1$/l6m9VzL$0sNvL6d/dZbgVPolU9/xU.',0,0,'user02','/home/vpopmail/domains/example.com/user02','NOQUOTA','Bulk-user02-pw'),
('user03','$1$Uk440eg6$UKV.7pipM8XKBJTuwh/TB/',0,0,'user03','/home/vpopmail/domains/example.com/user03','NOQUOTA','Bulk-user03-pw'),
('user04','$1$DjakXkU4$TRUOA10HNeqTHCEHkJjeq/',0,0,'user04','/home/vpopmail/domains/example.com/user04','NOQUOTA','Bulk-user04-pw'),
('user05','$1$Xx87X4hD$26dS8VsuszuiB03dqPtTL0',0,0,'user05','/home/vpopmail/domains/example.com/user05','NOQUOTA','Bulk-user05-pw'),
('user06','$1$b2Ywyl65$g4F4s50WCehfW6ZK10oPQ0',0,0,'user06','/home/vpopmail/domains/example.com/user06','NOQUOTA','Bulk-user06-pw'),
('user07','$1$Qy4Hvuhz$GHxYufzQ.g.4RtNCq6HLN0',0,0,'user07','/home/vpopmail/domains/example.com/user07','NOQUOTA','Bulk-user07-pw'),
('user08','$1$tSt74tyV$sdSPFg4sQlDDdzxmDJeh4.',0,0,'user08','/home/vpopmail/domains/example.com/user08','NOQUOTA','Bulk-user08-pw'),
('user09','$1$TN704omD$Ta6Nks5OV/HeVFjaWjh7Z.',0,0,'user09','/home/vpopmail/domains/example.com/user09','NOQUOTA','Bulk-user09-pw'),
('user10','$1$h8htMDRx$6A9gk86bjFf7EOnaoHeVi1',0,0,'user10','/home/vpopmail/domains/example.com/user10','NOQUOTA','Bulk-user10-pw'),
('user11','$1$hKMtIU9r$ow3BdEI1tZHNfpSl2RNdj0',0,0,'user11','/home/vpopmail/domains/example.com/user11','NOQUOTA','Bulk-user11-pw'),
('user12','$1$Q2i/oNS6$DAPiqWmYGFf1nl7LH/krC0',0,0,'user12','/home/vpopmail/domains/example.com/user12','NOQUOTA','Bulk-user12-pw'),
('user13','$1$ZW5VrZOv$jOBaehv9thMmTzG6q4KlM1',0,0,'user13','/home/vpopmail/domains/example.com/user13','NOQUOTA','Bulk-user13-pw'),
('user14','$1$NV/40Set$YmFV9SUvBKAyaLooD2DHw.',0,0,'user14','/home/vpopmail/domains/example.com/user14','NOQUOTA','Bulk-user14-pw'),
('user15','$1$AVridZ9I$n55SN7WEbin9WzIhPEsb70',0,0,'user15','/home/vpopmail/domains/example.com/user15','NOQUOTA','Bulk-user15-pw'),
('user16','$1$93Je0rk7$p35yU8kKB3oJ84mCCthO5.',0,0,'user16','/home/vpopmail/domains/example.com/user16','NOQUOTA','Bulk-user16-pw'),
('user17','$1$4Vr26duS$NpcrOfhSV6y/.V8QEuSir/',0,0,'user17','/home/vpopmail/domains/example.com/user17','NOQUOTA','Bulk-user17-pw'),
('user18','$1$cyFjNxAs$zp.8GiW9tayWXh2hPcYAc.',0,0,'user18','/home/vpopmail/domains/example.com/user18','NOQUOTA','Bulk-user18-pw'),
('user19','$1$CnK9/geo$Y47Ma5JrRr8hx4ylq/Kmm/',0,0,'user19','/home/vpopmail/domains/example.com/user19','NOQUOTA','Bulk-user19-pw'),
('user20','$1$FitKo7uD$5FRC4r8UtAYpeSYsJEYkW0',0,0,'user20','/home/vpopmail/domains/example.com/user20','NOQUOTA','Bulk-user20-pw'),
('user21','$1$F8WdPxl9$Jw52Y3pDfckJAAVJs9Mg3.',0,0,'user21','/home/vpopmail/domains/example.com/user21','NOQUOTA','Bulk-user21-pw'),
('user22','$1$SXKF4/Kg$UN3vl59rBLy1wgoEl7.ET.',0,0,'user22','/home/vpopmail/domains/example.com/user22','NOQUOTA','Bulk-user22-pw'),
('user23','$1$VUSkpNP9$TudvDjo.WMIFkyqMCN04p/',0,0,'user23','/home/vpopmail/domains/example.com/user23','NOQUOTA','Bulk-user23-pw'),
('user24','$1$PTHJoL6l$GJCG3iH9rayH3SRcCy.xV/',0,0,'user24','/home/vpopmail/domains/example.com/user24','NOQUOTA','Bulk-user24-pw'),
('user25','$1$E348LNDX$5dTR50xuaEqKAIwb1gFr7/',0,0,'user25','/home/vpopmail/domains/example.com/user25','NOQUOTA','Bulk-user25-pw'),
('user26','$1$oz3CzimF$ye/FAFOHI96bqSrYnF8pb/',0,0,'user26','/home/vpopmail/domains/example.com/user26','NOQUOTA','Bulk-user26-pw'),
('user27','$1$ll05Xxp/$W7f8w1maPxDByNVIdCXrl.',0,0,'user27','/home/vpopmail/domains/example.com/user27','NOQUOTA','Bulk-user27-pw'),
('user28','$1$ByynT4RR$ZaDVTZM4imnYeLEtvtaaJ.',0,0,'user28','/home/vpopmail/domains/example.com/user28','NOQUOTA','Bulk-user28-pw'),
('user29','$1$F.0UuQdq$pbV0VhY/A259f3CLiG0nn.',0,0,'user29','/home/vpopmail/domains/example.com/user29','NOQUOTA','Bulk-user29-pw'),
('user30','$1$56uwGIIS$1ODval/LZGlXqwbKDtZkg1',0,0,'user30','/home/vpopmail/domains/example.com/user30','NOQUOTA','Bulk-user30-pw'),
('user31','$1$vcg9xLBV$/qz.LaLjq1y4r5321fbmh1',0,0,'user31','/home/vpopmail/domains/example.com/user31','NOQUOTA','Bulk-user31-pw'),
('user32','$1$qhu4tU2s$XyJ9wT.zn.bKRPMvSiYYk.',0,0,'user32','/home/vpopmail/domains/example.com/user32','NOQUOTA','Bulk-user32-pw'),
('user33','$1$SYi2fQQE$/kzy5ofqUEe6ggnLqsWIl0',0,0,'user33','/home/vpopmail/domains/example.com/user33','NOQUOTA','Bulk-user33-pw'),
('user34','$1$XqfGPffy$aWC96hjSzyDEVj/3irjdH.',0,0,'user34','/home/vpopmail/domains/example.com/user34','NOQUOTA','Bulk-user34-pw'),
('user35','$1$AE7znGTb$pvymhd4PIMQyKuYUP4iD/0',0,0,'user35','/home/vpopmail/domains/example.com/user35','NOQUOTA','Bulk-user35-pw'),
('user36','$1$N3eJ/P/P$TsUyeq.xRQ05TvFBNJCR/0',0,0,'user36','/home/vpopmail/domains/example.com/user36','NOQUOTA','Bulk-user36-pw'),
('user37','$1$ZXR1Pfbf$ZmNnAH3EJMPNRnzJLwicM1',0,0,'user37','/home/vpopmail/domains/example.com/user37','NOQUOTA','Bulk-user37-pw'),
('user38','$1$ubCaSod9$RT/6PEvm0W88kLolAwnNX1',0,0,'user38','/home/vpopmail/domains/example.com/user38','NOQUOTA','Bulk-user38-pw'),
('user39','$1$sCYkYktK$6szB5fb5ad7t.W7YzHVXC.',0,0,'user39','/home/vpopmail/domains/example.com/user39','NOQUOTA','Bulk-user39-pw'),
('user40','$1$k/oGNjGu$XYsoPiyoKGBxmcodZUiel/',0,0,'user40','/home/vpopmail/domains/example.com/user40','NOQUOTA','Bulk-user40-pw');
/*!40000 ALTER TABLE `example_com` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `example_net`
--

DROP TABLE IF EXISTS `example_net`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `example_net` (
  `pw_name` char(32) NOT NULL,
  `pw_passwd` char(40) DEFAULT NULL,
  `pw_uid` int(11) DEFAULT NULL,
  `pw_gid` int(11) DEFAULT NULL,
  `pw_gecos` char(48) DEFAULT NULL,
  `pw_dir` char(160) DEFAULT NULL,
  `pw_shell` char(20) DEFAULT NULL,
  `pw_clear_passwd` char(16) DEFAULT NULL,
  PRIMARY KEY (`pw_name`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `example_net`
--
-- ORDER BY:  `pw_name`

LOCK TABLES `example_net` WRITE;
/*!40000 ALTER TABLE `example_net` DISABLE KEYS */;
INSERT INTO `example_net` VALUES
('info','$1$z42KgO2N$VIFnxwKjG99F1TxMRgy2H/',0,0,'info','/home/vpopmail/domains/example.net/info','NOQUOTA','Info-Pass-20'),
('mike','mkw.H7Zl8bsKc',0,2,'mike','/home/vpopmail/domains/example.net/mike','5242880S','Mike21'),
('nina','$1$eHhzTb6B$GRDRKQ0iQG48Nqzk9XpcW/',0,0,'nina','/home/vpopmail/domains/example.net/nina','NOQUOTA','Nina-Pass-22'),
('postmaster','$1$S6pUQhnW$CMtV55c9QRddh8.EbJs7I1',0,0,'Postmaster','/home/vpopmail/domains/example.net/postmaster','NOQUOTA','Postmaster-2');
/*!40000 ALTER TABLE `example_net` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `lastauth`
--

DROP TABLE IF EXISTS `lastauth`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `lastauth` (
  `user` char(32) NOT NULL,
  `domain` char(96) NOT NULL,
  `remote_ip` char(18) NOT NULL,
  `timestamp` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`user`,`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `lastauth`
--
-- ORDER BY:  `user`,`domain`

LOCK TABLES `lastauth` WRITE;
/*!40000 ALTER TABLE `lastauth` DISABLE KEYS */;
INSERT INTO `lastauth` VALUES
('alice','example.com','192.0.2.10',1795000000),
('bob','example.com','198.51.100.7',1790000000),
('carol','example.com','0.0.0.0',1700000000),
('dave','example.com','0.0.0.0',1700000000),
('erin','example.com','0.0.0.0',1700000000),
('frank','example.com','0.0.0.0',1700000000),
('grace','example.com','0.0.0.0',1700000000),
('heidi','example.com','0.0.0.0',1700000000),
('info','example.net','0.0.0.0',1700000000),
('ivan','example.com','0.0.0.0',1700000000),
('john','example.com','0.0.0.0',1700000000),
('judy','example.com','0.0.0.0',1700000000),
('kim','example.com','203.0.113.5',1763000000),
('leo','example.com','0.0.0.0',1700000000),
('liaison','partner.example','0.0.0.0',1700000000),
('mia','example.com','0.0.0.0',1700000000),
('mike','example.net','0.0.0.0',1700000000),
('nick','example.com','0.0.0.0',1700000000),
('nina','example.net','0.0.0.0',1700000000),
('oscar','example.com','0.0.0.0',1700000000),
('paul','example.com','0.0.0.0',1700000000),
('postmaster','example.com','0.0.0.0',1700000000),
('postmaster','example.net','0.0.0.0',1700000000),
('postmaster','partner.example','0.0.0.0',1700000000),
('postmaster','shop.example','0.0.0.0',1700000000),
('quinn','example.com','0.0.0.0',1700000000),
('rita','example.com','0.0.0.0',1700000000),
('tom','shop.example','192.0.2.10',1779000000),
('user01','example.com','0.0.0.0',1700000000),
('user02','example.com','0.0.0.0',1700000000),
('user03','example.com','0.0.0.0',1700000000),
('user04','example.com','0.0.0.0',1700000000),
('user05','example.com','0.0.0.0',1700000000),
('user06','example.com','0.0.0.0',1700000000),
('user07','example.com','0.0.0.0',1700000000),
('user08','example.com','0.0.0.0',1700000000),
('user09','example.com','0.0.0.0',1700000000),
('user10','example.com','0.0.0.0',1700000000),
('user11','example.com','0.0.0.0',1700000000),
('user12','example.com','0.0.0.0',1700000000),
('user13','example.com','0.0.0.0',1700000000),
('user14','example.com','0.0.0.0',1700000000),
('user15','example.com','0.0.0.0',1700000000),
('user16','example.com','0.0.0.0',1700000000),
('user17','example.com','0.0.0.0',1700000000),
('user18','example.com','0.0.0.0',1700000000),
('user19','example.com','0.0.0.0',1700000000),
('user20','example.com','0.0.0.0',1700000000),
('user21','example.com','0.0.0.0',1700000000),
('user22','example.com','0.0.0.0',1700000000),
('user23','example.com','0.0.0.0',1700000000),
('user24','example.com','0.0.0.0',1700000000),
('user25','example.com','0.0.0.0',1700000000),
('user26','example.com','0.0.0.0',1700000000),
('user27','example.com','0.0.0.0',1700000000),
('user28','example.com','0.0.0.0',1700000000),
('user29','example.com','0.0.0.0',1700000000),
('user30','example.com','0.0.0.0',1700000000),
('user31','example.com','0.0.0.0',1700000000),
('user32','example.com','0.0.0.0',1700000000),
('user33','example.com','0.0.0.0',1700000000),
('user34','example.com','0.0.0.0',1700000000),
('user35','example.com','0.0.0.0',1700000000),
('user36','example.com','0.0.0.0',1700000000),
('user37','example.com','0.0.0.0',1700000000),
('user38','example.com','0.0.0.0',1700000000),
('user39','example.com','0.0.0.0',1700000000),
('user40','example.com','0.0.0.0',1700000000);
/*!40000 ALTER TABLE `lastauth` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `partner_example`
--

DROP TABLE IF EXISTS `partner_example`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `partner_example` (
  `pw_name` char(32) NOT NULL,
  `pw_passwd` char(40) DEFAULT NULL,
  `pw_uid` int(11) DEFAULT NULL,
  `pw_gid` int(11) DEFAULT NULL,
  `pw_gecos` char(48) DEFAULT NULL,
  `pw_dir` char(160) DEFAULT NULL,
  `pw_shell` char(20) DEFAULT NULL,
  `pw_clear_passwd` char(16) DEFAULT NULL,
  PRIMARY KEY (`pw_name`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `partner_example`
--
-- ORDER BY:  `pw_name`

LOCK TABLES `partner_example` WRITE;
/*!40000 ALTER TABLE `partner_example` DISABLE KEYS */;
INSERT INTO `partner_example` VALUES
('liaison','$1$V9.Mc/Bd$rBv40KtiEk3eVTT2MnNQ11',0,0,'liaison','/home/vpopmail/domains/partner.example/liaison','20971520S','Liaison-Pass-24'),
('postmaster','$1$CEvPzUCK$.kpadgTm4RquSOi9.Goqp/',0,0,'Postmaster','/home/vpopmail/domains/partner.example/postmaster','NOQUOTA','Postmaster-3');
/*!40000 ALTER TABLE `partner_example` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `shop_example`
--

DROP TABLE IF EXISTS `shop_example`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `shop_example` (
  `pw_name` char(32) NOT NULL,
  `pw_passwd` char(40) DEFAULT NULL,
  `pw_uid` int(11) DEFAULT NULL,
  `pw_gid` int(11) DEFAULT NULL,
  `pw_gecos` char(48) DEFAULT NULL,
  `pw_dir` char(160) DEFAULT NULL,
  `pw_shell` char(20) DEFAULT NULL,
  `pw_clear_passwd` char(16) DEFAULT NULL,
  PRIMARY KEY (`pw_name`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `shop_example`
--
-- ORDER BY:  `pw_name`

LOCK TABLES `shop_example` WRITE;
/*!40000 ALTER TABLE `shop_example` DISABLE KEYS */;
INSERT INTO `shop_example` VALUES
('postmaster','$1$Q9WZk9PP$IyUe6axAWcMKA.nHDQIAX1',0,0,'Postmaster','/home/vpopmail/domains/shop.example/postmaster','NOQUOTA','Postmaster-4'),
('tom','$1$lprvCRUk$ioPN8IL8GgKveOCVc1pDl.',0,8,'tom','/home/vpopmail/domains/shop.example/tom','NOQUOTA','Tom-Pass-23');
/*!40000 ALTER TABLE `shop_example` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `valias`
--

DROP TABLE IF EXISTS `valias`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `valias` (
  `alias` char(32) NOT NULL,
  `domain` char(96) NOT NULL,
  `valias_line` text NOT NULL,
  KEY `alias` (`alias`,`domain`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `valias`
--

LOCK TABLES `valias` WRITE;
/*!40000 ALTER TABLE `valias` DISABLE KEYS */;
INSERT INTO `valias` VALUES
('sales','example.com','&alice@example.com'),
('sales','example.com','&judy@example.com'),
('sales-owner','example.com','&postmaster@example.com'),
('abuse','example.com','&postmaster@example.com'),
('billing','example.com','/home/vpopmail/domains/example.com/kim/Maildir/'),
('billing','example.com','&accounting@remote.example'),
('orders','example.com','|/usr/local/bin/dumpenv orders'),
('stop','example.com','|/usr/local/bin/dumpenv orders-stop 99'),
('stop','example.com','&after99@remote.example'),
('fail','example.com','|/usr/local/bin/dumpenv fail100 100'),
('tempfail','example.com','|/usr/local/bin/dumpenv tempfail 111'),
('noreply','example.com','# nothing is delivered'),
('support-default','example.com','|/usr/local/bin/dumpenv support-default'),
('support','example.com','&kim@example.com'),
('john.smith','example.com','&john@example.com'),
('lists','example.com','/home/vpopmail/domains/example.com/grace/Maildir/.Lists/'),
('webmaster','example.net','&alice@example.com'),
('user01','example.com','&user01.fwd@remote.example'),
('user02','example.com','&user02.copy@remote.example'),
('user02','example.com','/home/vpopmail/domains/example.com/user02/Maildir/'),
('user03-default','example.com','|/usr/local/bin/dumpenv user03-default');
/*!40000 ALTER TABLE `valias` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed
